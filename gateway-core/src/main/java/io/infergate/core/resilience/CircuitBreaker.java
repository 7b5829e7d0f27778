package io.infergate.core.resilience;

import io.infergate.core.Ticker;

import java.util.Arrays;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

/**
 * One endpoint's circuit breaker, shared by every event loop. Its state is one immutable value
 * swapped by compare-and-set; open turns half-open lazily, when a caller asks after the open time
 * has passed, so no timer runs. A closed breaker with no recent failures costs one volatile read.
 * <p>
 * Callers ask {@link #tryAcquire()} before sending and report exactly one outcome for each
 * permission: {@link #onSuccess()}, {@link #onFailure()}, or {@link #onIgnored()} for an outcome
 * that says nothing about the endpoint's health (a client that hung up, a 4xx, a 429).
 */
public final class CircuitBreaker {

    /** The three states, as exported: 0 closed, 1 half-open, 2 open. */
    public enum Phase {
        CLOSED, HALF_OPEN, OPEN
    }

    /** A change of phase, for logs and meters. */
    public record Transition(String endpoint, Phase from, Phase to) {}

    private record State(Phase phase, long[] recentFailures, long openUntil, int probesInFlight) {
        static final State CLOSED = new State(Phase.CLOSED, new long[0], 0, 0);
    }

    private final String name;
    private volatile BreakerSettings settings;
    private final Ticker ticker;
    private final Consumer<Transition> onTransition;
    private final AtomicReference<State> state = new AtomicReference<>(State.CLOSED);

    public CircuitBreaker(String name, BreakerSettings settings, Ticker ticker, Consumer<Transition> onTransition) {
        this.name = name;
        this.settings = settings;
        this.ticker = ticker;
        this.onTransition = onTransition;
    }

    /**
     * New settings from a reload. The state stays: an open breaker stays open until the time it was
     * given, failures already counted still count; the new settings decide from the next outcome on.
     */
    public void reconfigure(BreakerSettings settings) {
        this.settings = settings;
    }

    public BreakerSettings settings() {
        return settings;
    }

    /** Whether a request may go to the endpoint now; never blocks. */
    public boolean tryAcquire() {
        while (true) {
            State current = state.get();
            State next;
            switch (current.phase()) {
                case CLOSED:
                    return true;
                case OPEN:
                    if (ticker.nanoTime() - current.openUntil() < 0) {
                        return false;
                    }
                    next = new State(Phase.HALF_OPEN, current.recentFailures(), 0, 1);
                    break;
                default:
                    if (current.probesInFlight() >= settings.halfOpenProbes()) {
                        return false;
                    }
                    next = new State(Phase.HALF_OPEN, current.recentFailures(), 0, current.probesInFlight() + 1);
                    break;
            }
            if (swap(current, next)) {
                return true;
            }
        }
    }

    public void onSuccess() {
        while (true) {
            State current = state.get();
            if (current.phase() != Phase.HALF_OPEN || swap(current, State.CLOSED)) {
                return;
            }
        }
    }

    public void onFailure() {
        long now = ticker.nanoTime();
        while (true) {
            State current = state.get();
            State next = switch (current.phase()) {
                case CLOSED -> afterFailureWhileClosed(current, now);
                case HALF_OPEN -> open(now);
                case OPEN -> null; // a late report from before it opened changes nothing
            };
            if (next == null || swap(current, next)) {
                return;
            }
        }
    }

    /** The permission is given back without a verdict. */
    public void onIgnored() {
        while (true) {
            State current = state.get();
            if (current.phase() != Phase.HALF_OPEN || current.probesInFlight() == 0) {
                return;
            }
            State next = new State(Phase.HALF_OPEN, current.recentFailures(), 0, current.probesInFlight() - 1);
            if (swap(current, next)) {
                return;
            }
        }
    }

    /** The phase a caller would see now, with an expired open period reported as half-open. */
    public Phase phase() {
        State current = state.get();
        if (current.phase() == Phase.OPEN && ticker.nanoTime() - current.openUntil() >= 0) {
            return Phase.HALF_OPEN;
        }
        return current.phase();
    }

    /** Nanoseconds until an open breaker lets a probe through; 0 when it would now. */
    public long nanosUntilProbe() {
        State current = state.get();
        return current.phase() == Phase.OPEN ? Math.max(0, current.openUntil() - ticker.nanoTime()) : 0;
    }

    private State afterFailureWhileClosed(State current, long now) {
        long windowStart = now - settings.window().toNanos();
        long[] kept = Arrays.stream(current.recentFailures()).filter(t -> t - windowStart > 0).toArray();
        long[] failures = Arrays.copyOf(kept, kept.length + 1);
        failures[kept.length] = now;
        return failures.length >= settings.failures() ? open(now) : new State(Phase.CLOSED, failures, 0, 0);
    }

    private State open(long now) {
        return new State(Phase.OPEN, new long[0], now + settings.openFor().toNanos(), 0);
    }

    private boolean swap(State current, State next) {
        if (!state.compareAndSet(current, next)) {
            return false;
        }
        if (current.phase() != next.phase()) {
            onTransition.accept(new Transition(name, current.phase(), next.phase()));
        }
        return true;
    }
}
