package io.infergate.core.upstream;

import io.infergate.core.Ticker;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * Whether an endpoint is loading its model, and who may ask it while it does. One probe at a time
 * goes through (single flight), when the endpoint's own estimate is up or every probe interval;
 * every other request waits here and is released, in arrival order, when the endpoint answers.
 * A request whose remaining wait is shorter than the estimate is told so at once, to go elsewhere.
 * <p>
 * Thread-safe; waiters are called outside the lock, so one that re-enters cannot deadlock. The
 * caller owns the timers: {@link #markLoading} and {@link #probeEnded} say when the next probe is due,
 * and the caller then calls {@link #probeDue}.
 */
public final class Warming {

    /** A request parked while the endpoint warms. */
    public interface Waiter {
        /** Called once: go ahead, as the probe or because the endpoint is ready. */
        void released(boolean asProbe);
    }

    /** What a request arriving at the endpoint should do. */
    public enum Entry {
        /** Not warming: send as usual. */
        READY,
        /** Warming, and a probe is due: this request is it. */
        PROBE,
        /** Parked until released. */
        WAIT,
        /** The endpoint's estimate is beyond what the request can wait: go elsewhere. */
        TOO_LONG
    }

    private static final long UNKNOWN = Long.MIN_VALUE;

    private final Ticker ticker;
    private final ArrayDeque<Waiter> waiters = new ArrayDeque<>();
    /** Read without the lock on every answer: most endpoints are warm nearly always. */
    private volatile boolean warming;
    private boolean probeInFlight;
    private long readyEstimate = UNKNOWN;
    private long nextProbeAt;
    private long coldStarts;

    public Warming(Ticker ticker) {
        this.ticker = ticker;
    }

    /**
     * A request for this endpoint arrives. On {@link Entry#WAIT} the waiter is parked and will be
     * released once, unless it {@link #leave}s first.
     *
     * @param canWaitNanos how long the request could wait here at most
     */
    public synchronized Entry enter(Waiter waiter, long canWaitNanos) {
        if (!warming) {
            return Entry.READY;
        }
        long now = ticker.nanoTime();
        if (readyEstimate != UNKNOWN && readyEstimate - now > canWaitNanos) {
            return Entry.TOO_LONG;
        }
        if (!probeInFlight && now - nextProbeAt >= 0 && waiters.isEmpty()) {
            probeInFlight = true;
            return Entry.PROBE;
        }
        waiters.add(waiter);
        return Entry.WAIT;
    }

    /** A parked request gives up (its hold or deadline ran out, its client left). */
    public synchronized void leave(Waiter waiter) {
        waiters.remove(waiter);
    }

    /**
     * A request to the endpoint was answered "loading" (or refused, on a scale-to-zero upstream).
     *
     * @param wasProbe        whether it was the probe, whose flight this ends
     * @param etaNanos        the endpoint's own estimate of when it is ready, from now; negative when it gave none
     * @param probeEveryNanos the pause before the next probe when the endpoint gave no estimate
     * @return nanoseconds until the next probe is due, for the caller's timer
     */
    public long markLoading(boolean wasProbe, long etaNanos, long probeEveryNanos) {
        synchronized (this) {
            long now = ticker.nanoTime();
            if (!warming) {
                warming = true;
                coldStarts++;
                nextProbeAt = now;
            }
            if (wasProbe || !probeInFlight) {
                probeInFlight = false;
                readyEstimate = etaNanos >= 0 ? now + etaNanos : UNKNOWN;
                nextProbeAt = now + (etaNanos >= 0 ? Math.min(etaNanos, probeEveryNanos) : probeEveryNanos);
            }
            return Math.max(0, nextProbeAt - now);
        }
    }

    /**
     * The probe ended without saying whether the model is loaded (its client left, it timed out).
     * The next one goes after {@code pauseNanos}, so a silent endpoint is not probed in a loop.
     *
     * @return nanoseconds until the next probe is due
     */
    public synchronized long probeEnded(long pauseNanos) {
        if (!warming || !probeInFlight) {
            return -1;
        }
        probeInFlight = false;
        nextProbeAt = ticker.nanoTime() + pauseNanos;
        return pauseNanos;
    }

    /** Hands the probe to the first waiter if one is due; the caller's timer calls it. */
    public void probeDue() {
        Waiter probe;
        synchronized (this) {
            if (!warming || probeInFlight || ticker.nanoTime() - nextProbeAt < 0 || waiters.isEmpty()) {
                return;
            }
            probeInFlight = true;
            probe = waiters.poll();
        }
        probe.released(true);
    }

    /** The endpoint answered something other than "loading": every waiter goes, in arrival order. */
    public void markReady() {
        if (!warming) {
            return;
        }
        List<Waiter> released;
        synchronized (this) {
            if (!warming) {
                return;
            }
            warming = false;
            probeInFlight = false;
            readyEstimate = UNKNOWN;
            released = new ArrayList<>(waiters);
            waiters.clear();
        }
        for (Waiter waiter : released) {
            waiter.released(false);
        }
    }

    public boolean isWarming() {
        return warming;
    }

    /** Nanoseconds until the endpoint's own estimate of readiness; -1 when unknown or not warming. */
    public synchronized long nanosUntilReady() {
        if (!warming || readyEstimate == UNKNOWN) {
            return -1;
        }
        return Math.max(0, readyEstimate - ticker.nanoTime());
    }

    public synchronized int waiting() {
        return waiters.size();
    }

    /** How many times the endpoint started warming. */
    public synchronized long coldStarts() {
        return coldStarts;
    }
}
