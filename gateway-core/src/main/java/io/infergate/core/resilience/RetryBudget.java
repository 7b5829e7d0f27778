package io.infergate.core.resilience;

import io.infergate.core.Ticker;

import java.time.Duration;

/**
 * How many retries an upstream may take, as in Finagle and Envoy: over a sliding window, retries
 * stay under {@code percent} of the requests sent plus a floor of {@code minPerSecond}, so a failing
 * upstream sees a bounded multiple of its normal load whatever the clients do. Moving on to a
 * fallback upstream is not a retry of this one.
 */
public final class RetryBudget {

    private static final long SLOT_NANOS = Duration.ofSeconds(1).toNanos();

    private final int percent;
    private final int minPerSecond;
    private final Ticker ticker;
    private final long[] requests;
    private final long[] retries;
    private long currentSlot;

    public RetryBudget(int percent, int minPerSecond, Duration window, Ticker ticker) {
        if (percent < 0 || minPerSecond < 0) {
            throw new IllegalArgumentException("percent and minPerSecond must not be negative");
        }
        int slots = (int) Math.max(1, window.toSeconds());
        this.percent = percent;
        this.minPerSecond = minPerSecond;
        this.ticker = ticker;
        this.requests = new long[slots];
        this.retries = new long[slots];
        this.currentSlot = Math.floorDiv(ticker.nanoTime(), SLOT_NANOS);
    }

    /** Whether this budget was made with these settings, so a reload that asks the same may keep it. */
    public boolean hasSettings(int percent, int minPerSecond) {
        return this.percent == percent && this.minPerSecond == minPerSecond;
    }

    /** A first attempt was sent: it earns {@code percent} of a retry. */
    public synchronized void onRequest() {
        requests[slot()]++;
    }

    /** Takes one retry from the budget if there is one; never blocks. */
    public synchronized boolean tryRetry() {
        int slot = slot();
        long sentRequests = 0;
        long sentRetries = 0;
        for (int i = 0; i < requests.length; i++) {
            sentRequests += requests[i];
            sentRetries += retries[i];
        }
        long allowed = sentRequests * percent / 100 + (long) minPerSecond * requests.length;
        if (sentRetries >= allowed) {
            return false;
        }
        retries[slot]++;
        return true;
    }

    /** The slot for now, clearing the slots that the window has moved past. */
    private int slot() {
        long now = Math.floorDiv(ticker.nanoTime(), SLOT_NANOS);
        long stale = Math.min(now - currentSlot, requests.length);
        for (long s = 1; s <= stale; s++) {
            int index = (int) Math.floorMod(currentSlot + s, (long) requests.length);
            requests[index] = 0;
            retries[index] = 0;
        }
        currentSlot = Math.max(currentSlot, now);
        return (int) Math.floorMod(currentSlot, (long) requests.length);
    }
}
