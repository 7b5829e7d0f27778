package io.infergate.server.exchange;

import io.infergate.core.error.GatewayError;
import io.infergate.core.timeout.ExchangeTimeouts;

import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * One timer for all of an exchange's clocks: its phases only stamp times in {@link ExchangeTimeouts},
 * and the timer re-arms for what is left. Separate so that the exchange hears only which clock ran
 * out; the task itself is the connection's ({@link ConnectionClock}), shared by its exchanges in turn.
 */
final class ExchangeTimer implements ConnectionClock.Owner {

    private final ConnectionClock clock;
    private final ExchangeTimeouts timeouts;
    private final Consumer<GatewayError> expired;
    private final BooleanSupplier done;

    /**
     * @param expired told on the exchange's loop which clock ran out
     * @param done    whether the exchange has finished, so the timer stops
     */
    ExchangeTimer(ConnectionClock clock, ExchangeTimeouts timeouts, Consumer<GatewayError> expired, BooleanSupplier done) {
        this.clock = clock;
        this.timeouts = timeouts;
        this.expired = expired;
        this.done = done;
    }

    /** Arms the timer for the first clock to run out after {@code now}. */
    void start(long now) {
        clock.arm(this, now, timeouts.nextCheckIn(now));
    }

    /** The connection's task is due: a clock that ran out is told, and the timer arms for what is left. */
    @Override
    public void check(long now) {
        if (done.getAsBoolean()) {
            return;
        }
        GatewayError ranOut = timeouts.expired(now);
        if (ranOut != null) {
            expired.accept(ranOut);
        }
        if (!done.getAsBoolean()) {
            start(now);
        }
    }

    void cancel() {
        clock.release(this);
    }
}
