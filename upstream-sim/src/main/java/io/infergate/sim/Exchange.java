package io.infergate.sim;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOption;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.EventExecutor;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One request on a connection and the one response to it. Every method runs on the connection's event
 * loop. The exchange ends when its response is written, or when it is abandoned (client gone, reset);
 * either way the {@link #onEnd} hooks run once.
 */
final class Exchange {

    private static final byte[] MALFORMED = "HTTP/1.1 2x0 Broken\r\nno colon here\r\n\r\n".getBytes(StandardCharsets.US_ASCII);

    private final ChannelHandlerContext ctx;
    private final Call call;
    private final Runnable next;
    private final List<Runnable> onEnd = new ArrayList<>(2);
    private boolean keepAlive;
    private boolean ended;

    /** @param next continues the connection with its next request, once this response is written */
    Exchange(ChannelHandlerContext ctx, Call call, Runnable next) {
        this.ctx = ctx;
        this.call = call;
        this.next = next;
        this.keepAlive = call.keepAlive();
    }

    Call call() {
        return call;
    }

    EventExecutor executor() {
        return ctx.executor();
    }

    boolean ended() {
        return ended;
    }

    void onEnd(Runnable hook) {
        onEnd.add(hook);
    }

    void respond(HttpResponseStatus status, String contentType, String body, HttpHeaders extra) {
        ByteBuf content = Unpooled.EMPTY_BUFFER;
        if (!body.isEmpty()) {
            content = ctx.alloc().buffer(body.length());
            content.writeCharSequence(body, StandardCharsets.UTF_8);
        }
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        if (contentType != null) {
            response.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        }
        response.headers().add(extra).setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        writeLast(response);
    }

    void respondJson(HttpResponseStatus status, String json) {
        respond(status, "application/json", json, EmptyHttpHeaders.INSTANCE);
    }

    void respondText(HttpResponseStatus status, String text) {
        respond(status, "text/plain; charset=utf-8", text, EmptyHttpHeaders.INSTANCE);
    }

    /** Writes a 200 chunked head; follow with {@link #chunk} calls and one {@link #endStream}. */
    void startStream(HttpHeaders headers) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().add(headers);
        HttpUtil.setTransferEncodingChunked(head, true);
        HttpUtil.setKeepAlive(head, keepAlive);
        ctx.writeAndFlush(head);
    }

    void chunk(String text, boolean flush) {
        if (ended) {
            return;
        }
        ByteBuf bytes = ctx.alloc().buffer(text.length() + 16);
        bytes.writeCharSequence(text, StandardCharsets.UTF_8);
        if (flush) {
            ctx.writeAndFlush(new DefaultHttpContent(bytes));
        } else {
            ctx.write(new DefaultHttpContent(bytes));
        }
    }

    void flush() {
        ctx.flush();
    }

    void endStream() {
        writeLast(LastHttpContent.EMPTY_LAST_CONTENT);
    }

    private void writeLast(Object message) {
        if (ended) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof HttpResponse response) {
            HttpUtil.setKeepAlive(response, keepAlive);
        }
        var written = ctx.writeAndFlush(message);
        if (!keepAlive) {
            written.addListener(ChannelFutureListener.CLOSE);
        }
        end();
        if (keepAlive) {
            next.run();
        }
    }

    /** The response will say {@code Connection: close} and the connection closes after it. */
    void closeAfterResponse() {
        keepAlive = false;
    }

    /** Slows every byte of this connection to one per second (the trickle fault). */
    void trickle() {
        closeAfterResponse();
        ctx.pipeline().addFirst("trickle", new TrickleHandler(TimeUnit.SECONDS.toNanos(1)));
    }

    /** Writes a status line no HTTP parser accepts, then closes. */
    void malformed() {
        ctx.pipeline().firstContext().writeAndFlush(Unpooled.wrappedBuffer(MALFORMED))
                .addListener(ChannelFutureListener.CLOSE);
        end();
    }

    /** Resets the connection (RST, not FIN). */
    void reset() {
        ctx.channel().config().setOption(ChannelOption.SO_LINGER, 0);
        ctx.close();
        end();
    }

    /** The client went away before the response was complete. */
    void abandon() {
        end();
    }

    private void end() {
        if (ended) {
            return;
        }
        ended = true;
        for (Runnable hook : onEnd) {
            hook.run();
        }
    }
}
