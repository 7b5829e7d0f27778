package io.infergate.server.admin;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * {@code GET /status/events}: the status page's live feed, as server-sent events. Every second,
 * while any page listens, the snapshot is made once and the same bytes go to every page; a page
 * that reads too slowly (its connection not writable) misses that second rather than making the
 * gateway buffer for it. Made on an admin connection's loop, never on the request path.
 */
final class StatusFeed {

    static final Duration EVERY = Duration.ofSeconds(1);

    private final Supplier<String> snapshot;
    private final ChannelGroup pages = new DefaultChannelGroup("status-pages", GlobalEventExecutor.INSTANCE);
    private ScheduledFuture<?> ticks; // guarded by this

    StatusFeed(Supplier<String> snapshot) {
        this.snapshot = snapshot;
    }

    void subscribe(ChannelHandlerContext ctx) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream; charset=utf-8")
                .set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                .set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        Channel channel = ctx.channel();
        ctx.write(head);
        ctx.writeAndFlush(new DefaultHttpContent(event(snapshot.get()))).addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
        pages.add(channel);
        synchronized (this) {
            if (ticks == null) {
                ticks = channel.eventLoop().scheduleAtFixedRate(this::send, EVERY.toMillis(), EVERY.toMillis(),
                        TimeUnit.MILLISECONDS);
            }
        }
    }

    private void send() {
        if (pages.isEmpty()) {
            synchronized (this) {
                if (pages.isEmpty() && ticks != null) {
                    ticks.cancel(false);
                    ticks = null;
                }
            }
            return;
        }
        ByteBuf event = event(snapshot.get());
        try {
            for (Channel page : pages) {
                if (page.isWritable()) {
                    page.writeAndFlush(new DefaultHttpContent(event.retainedDuplicate()))
                            .addListener(ChannelFutureListener.CLOSE_ON_FAILURE);
                }
            }
        } finally {
            event.release();
        }
    }

    private static ByteBuf event(String json) {
        return Unpooled.copiedBuffer("data: " + json + "\n\n", StandardCharsets.UTF_8);
    }
}
