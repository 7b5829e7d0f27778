package io.infergate.server.exchange;

import io.infergate.core.Ticker;
import io.infergate.core.error.GatewayError;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One timer for all of an exchange's clocks: its phases only stamp times in {@link ExchangeTimeouts},
 * and the timer re-arms for what is left. Separate so that the exchange hears only which clock ran
 * out, and one scheduled task per exchange does for all of them.
 */
final class ExchangeTimer {

    private final EventExecutor executor;
    private final ExchangeTimeouts timeouts;
    private final Ticker ticker;
    private final Consumer<GatewayError> expired;
    private final BooleanSupplier done;
    private ScheduledFuture<?> timer;

    /**
     * @param expired told on the exchange's loop which clock ran out
     * @param done    whether the exchange has finished, so the timer stops
     */
    ExchangeTimer(EventExecutor executor, ExchangeTimeouts timeouts, Ticker ticker, Consumer<GatewayError> expired,
                  BooleanSupplier done) {
        this.executor = executor;
        this.timeouts = timeouts;
        this.ticker = ticker;
        this.expired = expired;
        this.done = done;
    }

    /** Arms the timer for the first clock to run out after {@code now}. */
    void start(long now) {
        timer = executor.schedule(this::check, timeouts.nextCheckIn(now), TimeUnit.NANOSECONDS);
    }

    private void check() {
        if (done.getAsBoolean()) {
            return;
        }
        long now = ticker.nanoTime();
        GatewayError ranOut = timeouts.expired(now);
        if (ranOut != null) {
            expired.accept(ranOut);
        }
        if (!done.getAsBoolean()) {
            start(now);
        }
    }

    void cancel() {
        timer.cancel(false);
    }
}
