package io.infergate.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The client connection's own clocks, ahead of the codec where raw bytes pass: an idle connection
 * closes after {@code idleTimeout}; a request head that started arriving but is not complete
 * after {@code headerTimeout} is answered 408. While an exchange runs, its own timeouts apply.
 */
final class ClientTimeoutHandler extends ChannelInboundHandlerAdapter {

    private final long idleNanos;
    private final long headerNanos;
    private ProxyHandler proxy;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> timer;
    private boolean inRequest;
    private boolean headArriving;

    ClientTimeoutHandler(Duration idleTimeout, Duration headerTimeout) {
        this.idleNanos = idleTimeout.toNanos();
        this.headerNanos = headerTimeout.toNanos();
    }

    void bind(ProxyHandler proxy) {
        this.proxy = proxy;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        arm(idleNanos, this::onIdle);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!inRequest && !headArriving && msg instanceof ByteBuf) {
            headArriving = true;
            arm(headerNanos, proxy::onHeaderTimeout);
        }
        ctx.fireChannelRead(msg);
    }

    void requestStarted() {
        inRequest = true;
        headArriving = false;
        cancel();
    }

    void requestFinished() {
        inRequest = false;
        arm(idleNanos, this::onIdle);
    }

    private void onIdle() {
        ctx.close();
    }

    private void arm(long nanos, Runnable action) {
        cancel();
        timer = ctx.executor().schedule(action, nanos, TimeUnit.NANOSECONDS);
    }

    private void cancel() {
        if (timer != null) {
            timer.cancel(false);
            timer = null;
        }
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        cancel();
        ctx.fireChannelInactive();
    }
}
