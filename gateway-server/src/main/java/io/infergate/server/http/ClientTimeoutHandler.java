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
 * <p>
 * Neither costs a timer per request: the idle timer lives as long as the connection and re-arms
 * itself for what is left, and the header timer is armed only when a read ends mid-head.
 * <p>
 * Once the connection speaks HTTP/2 ({@link #multiplexing}), it is idle while it has no stream
 * open, and its idle end is a {@code GOAWAY}; a stream's head arrives in frames the codec bounds,
 * so the header timer is not used there.
 */
final class ClientTimeoutHandler extends ChannelInboundHandlerAdapter implements RequestClock {

    private final long idleNanos;
    private final long headerNanos;
    private ProxyHandler proxy;
    private ChannelHandlerContext ctx;
    private ScheduledFuture<?> idleTimer;
    private ScheduledFuture<?> headerTimer;
    private long idleSince;
    private boolean inRequest;
    private boolean headArriving;
    private boolean multiplexed;
    private int openStreams;

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
        idleSince = System.nanoTime();
        idleTimer = ctx.executor().schedule(this::checkIdle, idleNanos, TimeUnit.NANOSECONDS);
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        boolean startsHead = !inRequest && !headArriving && !multiplexed && msg instanceof ByteBuf;
        headArriving |= startsHead;
        ctx.fireChannelRead(msg); // the codec decodes here; a complete head calls requestStarted()
        if (startsHead && headArriving && headerTimer == null) {
            headerTimer = ctx.executor().schedule(proxy::onHeaderTimeout, headerNanos, TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void requestStarted() {
        inRequest = true;
        headArriving = false;
        if (headerTimer != null) {
            headerTimer.cancel(false);
            headerTimer = null;
        }
    }

    @Override
    public void requestFinished() {
        inRequest = false;
        idleSince = System.nanoTime();
    }

    /** The connection now carries HTTP/2 streams: from here it counts them instead of requests. */
    void multiplexing() {
        multiplexed = true;
        requestStarted(); // the upgrade's or the preface's head is whole
        requestFinished();
    }

    void streamOpened() {
        openStreams++;
        inRequest = true;
    }

    void streamClosed() {
        if (--openStreams == 0) {
            requestFinished();
        }
    }

    private void checkIdle() {
        long idleFor = System.nanoTime() - idleSince;
        if (!inRequest && !headArriving && idleFor >= idleNanos) {
            if (multiplexed) {
                ctx.channel().close(); // through the HTTP/2 codec, which says GOAWAY first
            } else {
                ctx.close();
            }
            return;
        }
        long next = inRequest || headArriving ? idleNanos : idleNanos - idleFor;
        idleTimer = ctx.executor().schedule(this::checkIdle, next, TimeUnit.NANOSECONDS);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        idleTimer.cancel(false);
        if (headerTimer != null) {
            headerTimer.cancel(false);
        }
        ctx.fireChannelInactive();
    }
}
