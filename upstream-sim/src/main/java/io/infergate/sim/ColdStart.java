package io.infergate.sim;

import java.time.Duration;

/**
 * Whether the simulated replica has its model loaded. It starts loading, becomes ready after the load
 * time, and falls asleep (scaled to zero) after {@code scaleToZeroAfter} without a generation request in
 * flight; a request then wakes it and it loads again. Transitions happen lazily, when asked.
 */
final class ColdStart {

    enum Phase { LOADING, READY, ASLEEP }

    private final long loadNanos;
    private final long idleNanos;
    private final Ticker ticker;

    private Phase phase;
    private long readyAt;
    private long lastActivity;
    private int inFlight;

    /** @param scaleToZeroAfter idle time before falling asleep; zero: never */
    ColdStart(Duration loadTime, Duration scaleToZeroAfter, Ticker ticker) {
        this.loadNanos = loadTime.toNanos();
        this.idleNanos = scaleToZeroAfter.toNanos();
        this.ticker = ticker;
        long now = ticker.nanoTime();
        this.readyAt = now + loadNanos;
        this.lastActivity = now;
        this.phase = loadNanos > 0 ? Phase.LOADING : Phase.READY;
    }

    synchronized Phase phase() {
        long now = ticker.nanoTime();
        if (phase == Phase.LOADING && now - readyAt >= 0) {
            phase = Phase.READY;
            if (readyAt - lastActivity > 0) {
                lastActivity = readyAt;
            }
        }
        if (phase == Phase.READY && idleNanos > 0 && inFlight == 0 && now - lastActivity >= idleNanos) {
            phase = Phase.ASLEEP;
        }
        return phase;
    }

    /** Starts loading if asleep; the phase afterwards. */
    synchronized Phase wake() {
        if (phase() == Phase.ASLEEP) {
            phase = loadNanos > 0 ? Phase.LOADING : Phase.READY;
            readyAt = ticker.nanoTime() + loadNanos;
            lastActivity = readyAt;
        }
        return phase;
    }

    /** Nanoseconds until ready: 0 when ready, the full load time when asleep. */
    synchronized long nanosUntilReady() {
        return switch (phase()) {
            case READY -> 0;
            case LOADING -> readyAt - ticker.nanoTime();
            case ASLEEP -> loadNanos;
        };
    }

    /**
     * When the phase may next change on its own, in nanoseconds from now; -1 when it cannot (ready with
     * no scale-to-zero, or asleep).
     */
    synchronized long nanosUntilNextChange() {
        long now = ticker.nanoTime();
        return switch (phase()) {
            case LOADING -> readyAt - now;
            case READY -> idleNanos == 0 ? -1 : inFlight > 0 ? idleNanos : lastActivity + idleNanos - now;
            case ASLEEP -> -1;
        };
    }

    synchronized void requestStarted() {
        inFlight++;
        lastActivity = ticker.nanoTime();
    }

    synchronized void requestFinished() {
        inFlight--;
        lastActivity = ticker.nanoTime();
    }
}
