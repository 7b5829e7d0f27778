package io.infergate.server.exchange;

import io.infergate.core.Ticker;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One scheduled task per client connection for the clocks of its exchanges, one after another. An
 * exchange that ends leaves the task in place rather than cancel it, and the next exchange keeps it
 * when it is due no later than its own first check: on a kept-alive connection the task is then
 * scheduled about once per timeout, not once per request. A task due for no exchange does nothing.
 * Used on the connection's event loop only.
 */
public final class ConnectionClock {

    /** What the clock times: the current exchange's timer. */
    interface Owner {
        /** The task is due at {@code nowNanos}; the owner arms again for what it has left. */
        void check(long nowNanos);
    }

    private final EventExecutor executor;
    private final Ticker ticker;
    private ScheduledFuture<?> task;
    /** When the task is due, in ticker nanoseconds. */
    private long dueNanos;
    private Owner owner;

    public ConnectionClock(EventExecutor executor, Ticker ticker) {
        this.executor = executor;
        this.ticker = ticker;
    }

    /** {@code timer}'s exchange is the connection's now; its next check is {@code delayNanos} after {@code nowNanos}. */
    void arm(Owner timer, long nowNanos, long delayNanos) {
        owner = timer;
        long due = nowNanos + delayNanos;
        if (task != null && dueNanos <= due) {
            return; // due first: it checks, and the timer arms for what is left
        }
        if (task != null) {
            task.cancel(false);
        }
        dueNanos = due;
        task = executor.schedule(this::due, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** {@code timer}'s exchange is over; the task stays for the next one. */
    void release(Owner timer) {
        if (owner == timer) {
            owner = null;
        }
    }

    /** The connection closed: nothing more to time. */
    public void stop() {
        owner = null;
        if (task != null) {
            task.cancel(false);
            task = null;
        }
    }

    private void due() {
        task = null;
        Owner timer = owner;
        if (timer != null) {
            timer.check(ticker.nanoTime());
        }
    }
}
