package io.infergate.server.store;

import io.lettuce.core.resource.EventLoopGroupProvider;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ImmediateEventExecutor;

import java.util.concurrent.TimeUnit;

/**
 * Hands Lettuce one gateway event loop for every connection of one client: a loop is a group whose
 * {@code next()} is itself, so each connection, and each reconnection, is registered on that loop.
 * The loop stays the gateway's: releasing or shutting this provider down leaves it running.
 */
final class OneLoop implements EventLoopGroupProvider {

    private final EventLoop loop;

    OneLoop(EventLoop loop) {
        this.loop = loop;
    }

    /** Whatever group class Lettuce asks for, it only bootstraps on it; the caller checked the channel type. */
    @Override
    @SuppressWarnings("unchecked")
    public <T extends EventLoopGroup> T allocate(Class<T> type) {
        return (T) loop;
    }

    @Override
    public int threadPoolSize() {
        return 1;
    }

    @Override
    public Future<Boolean> release(EventExecutorGroup group, long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }

    @Override
    public Future<Boolean> shutdown(long quietPeriod, long timeout, TimeUnit unit) {
        return ImmediateEventExecutor.INSTANCE.newSucceededFuture(true);
    }
}
