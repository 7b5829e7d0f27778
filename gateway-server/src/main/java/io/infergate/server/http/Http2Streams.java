package io.infergate.server.http;

import io.infergate.server.exchange.ProxyContext;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http2.DefaultHttp2GoAwayFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2GoAwayFrame;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.codec.http2.Http2StreamFrameToHttpObjectCodec;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;

/**
 * The streams of one HTTP/2 client connection. Each stream is a channel of its own whose pipeline
 * turns frames into the HTTP/1.1 objects the per-request handlers already take, so a stream is
 * served as a connection with one request is: its own reads (its flow-control window), its own
 * writability, its own exchange, which a {@code RST_STREAM} cancels alone.
 * <p>
 * This handler sits on the connection itself: it tells the connection's idle clock when streams
 * open and close, passes the drain's {@link ShutdownCut} on to every open stream, and ends the
 * connection: while the gateway drains, with a {@code GOAWAY} as soon as a stream is done, as
 * HTTP/1.1's {@code Connection: close} would, then a close once the last one is; after a client's
 * own {@code GOAWAY}, once its streams are done.
 */
final class Http2Streams extends ChannelInboundHandlerAdapter {

    private final ProxyContext context;
    private final ClientTimeoutHandler timeouts;
    private final Set<Channel> open = new HashSet<>();
    private ChannelHandlerContext ctx;
    /** The connection's own GOAWAY, once it is ending. */
    private ChannelFuture goAway;
    private boolean closing;

    Http2Streams(ProxyContext context, ClientTimeoutHandler timeouts) {
        this.context = context;
        this.timeouts = timeouts;
    }

    /** What each new stream's pipeline gets: the frame codec's HTTP/1.1 view, then the request's own handlers. */
    ChannelInitializer<Http2StreamChannel> streamInitializer() {
        return new ChannelInitializer<>() {
            @Override
            protected void initChannel(Http2StreamChannel stream) {
                stream.config().setAutoRead(false); // the proxy handler reads when it can use the bytes
                ChannelPipeline pipeline = stream.pipeline();
                pipeline.addLast("codec", new Http2StreamFrameToHttpObjectCodec(true));
                pipeline.addLast("request", new StreamRequest());
                ResponseBodyBytes bodyBytes = new ResponseBodyBytes();
                pipeline.addLast("bodyBytes", bodyBytes);
                pipeline.addLast("proxy", new ProxyHandler(context, RequestClock.NONE, bodyBytes));
                opened(stream);
            }
        };
    }

    private void opened(Channel stream) {
        open.add(stream);
        timeouts.streamOpened();
        stream.closeFuture().addListener(closed -> {
            open.remove(stream);
            timeouts.streamClosed();
            if ((goAway != null || context.draining()) && ctx != null) {
                end();
            }
        });
    }

    /**
     * Says {@code GOAWAY} now, and closes once no stream is open and the {@code GOAWAY} is written
     * (and so every frame the streams wrote before it). Not the codec's own graceful close with
     * streams still open: that closes the moment the last one is retired, failing a {@code GOAWAY}
     * still being written (on io_uring, one written in the same loop turn always is).
     */
    private void end() {
        if (!ctx.channel().isActive()) {
            return;
        }
        if (goAway == null) {
            goAway = ctx.writeAndFlush(new DefaultHttp2GoAwayFrame(Http2Error.NO_ERROR));
        }
        if (open.isEmpty() && !closing) {
            closing = true;
            goAway.addListener(written -> ctx.channel().close());
        }
    }

    @Override
    public void handlerAdded(ChannelHandlerContext ctx) {
        this.ctx = ctx;
    }

    /** A client's GOAWAY: it opens no more streams, so the connection ends once those open are done. */
    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof Http2GoAwayFrame goAway) {
            goAway.release();
            end();
            return;
        }
        ctx.fireChannelRead(msg);
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ShutdownCut.EVENT) {
            for (Channel stream : new ArrayList<>(open)) {
                stream.pipeline().fireUserEventTriggered(event);
            }
            end(); // or once the streams it ended are done
            return;
        }
        ctx.fireUserEventTriggered(event);
    }
}
