package io.infergate.server.upstream;

import io.infergate.core.Ticker;
import io.infergate.core.upstream.Endpoint;
import io.netty.bootstrap.Bootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.FastThreadLocal;

import java.util.Collection;

/** One {@link ConnectionPool} per event loop, created when the loop first needs it. */
public final class ConnectionPools {

    private final FastThreadLocal<ConnectionPool> perLoop = new FastThreadLocal<>();
    private final Bootstrap template;
    private final TlsContexts tls;
    private final Ticker ticker;
    private final PoolSettings settings;

    private final EndpointProblems problems = new EndpointProblems();

    public ConnectionPools(Transport transport, TlsContexts tls, Ticker ticker, PoolSettings settings) {
        this.template = new Bootstrap()
                .channel(transport.clientChannel())
                .option(ChannelOption.AUTO_READ, false)
                .option(ChannelOption.TCP_NODELAY, true)
                .option(ChannelOption.SO_KEEPALIVE, true)
                .option(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT);
        this.tls = tls;
        this.ticker = ticker;
        this.settings = settings;
    }

    /** The pool of {@code loop}; must be called on that loop. */
    public ConnectionPool forLoop(EventLoop loop) {
        ConnectionPool pool = perLoop.getIfExists();
        if (pool == null) {
            pool = new ConnectionPool(loop, template, tls, ticker, settings);
            perLoop.set(pool);
        }
        return pool;
    }

    /**
     * Closes, on each of {@code loops}, the idle connections to endpoints a reload removed; a
     * connection still in use closes when its exchange releases it.
     */
    public void closeIdle(Collection<Endpoint> retired, EventLoopGroup loops) {
        if (retired.isEmpty()) {
            return;
        }
        for (EventExecutor executor : loops) {
            EventLoop loop = (EventLoop) executor;
            loop.execute(() -> forLoop(loop).closeIdle(retired));
        }
    }

    /** What is wrong with each endpoint, logged once per change; shared by every loop's pool. */
    public EndpointProblems problems() {
        return problems;
    }
}
