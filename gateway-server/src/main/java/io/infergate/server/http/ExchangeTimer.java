package io.infergate.server.http;

import io.infergate.core.Ticker;
import io.infergate.core.error.GatewayError;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One timer for all of an exchange's clocks: its phases only stamp times in {@link ExchangeTimeouts},
 * and the timer re-arms for what is left. Separate so that the exchange hears only which clock ran
 * out, and one scheduled task per exchange does for all of them.
 */
final class ExchangeTimer {

    /** The exchange, told on its own loop when a clock runs out. */
    interface Listener {
        void expired(GatewayError timeout);

        /** Whether the exchange has finished. */
        boolean isDone();
    }

    private final EventExecutor executor;
    private final ExchangeTimeouts timeouts;
    private final Ticker ticker;
    private final Listener exchange;
    private ScheduledFuture<?> timer;

    ExchangeTimer(EventExecutor executor, ExchangeTimeouts timeouts, Ticker ticker, Listener exchange) {
        this.executor = executor;
        this.timeouts = timeouts;
        this.ticker = ticker;
        this.exchange = exchange;
    }

    /** Arms the timer for the first clock to run out after {@code now}. */
    void start(long now) {
        timer = executor.schedule(this::check, timeouts.nextCheckIn(now), TimeUnit.NANOSECONDS);
    }

    private void check() {
        if (exchange.isDone()) {
            return;
        }
        long now = ticker.nanoTime();
        GatewayError expired = timeouts.expired(now);
        if (expired != null) {
            exchange.expired(expired);
        }
        if (!exchange.isDone()) {
            start(now);
        }
    }

    void cancel() {
        timer.cancel(false);
    }
}
