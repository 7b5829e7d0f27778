package io.infergate.sim;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.channels.ClosedChannelException;
import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * The trickle fault: placed next to the socket, it holds every outbound byte and lets one out per
 * interval. A write's promise completes when its last byte has gone.
 */
final class TrickleHandler extends ChannelOutboundHandlerAdapter {

    private record Pending(ByteBuf bytes, ChannelPromise promise) {}

    private final long intervalNanos;
    private final ArrayDeque<Pending> pending = new ArrayDeque<>();
    private ScheduledFuture<?> timer;

    TrickleHandler(long intervalNanos) {
        this.intervalNanos = intervalNanos;
    }

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.write(msg, promise);
            return;
        }
        if (!bytes.isReadable()) {
            bytes.release();
            promise.trySuccess();
            return;
        }
        pending.addLast(new Pending(bytes, promise));
        if (timer == null) {
            timer = ctx.executor().scheduleAtFixedRate(() -> drip(ctx), 0, intervalNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void flush(ChannelHandlerContext ctx) {
        // Bytes leave on the timer only.
    }

    private void drip(ChannelHandlerContext ctx) {
        Pending head = pending.peekFirst();
        if (head == null) {
            return;
        }
        ctx.writeAndFlush(head.bytes.readRetainedSlice(1));
        if (!head.bytes.isReadable()) {
            pending.removeFirst();
            head.bytes.release();
            head.promise.trySuccess();
        }
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (timer != null) {
            timer.cancel(false);
        }
        for (Pending p = pending.pollFirst(); p != null; p = pending.pollFirst()) {
            ReferenceCountUtil.release(p.bytes);
            p.promise.tryFailure(new ClosedChannelException());
        }
    }
}
