package io.infergate.server.status;

import io.infergate.core.Ticker;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLongArray;
import java.util.concurrent.atomic.AtomicReferenceArray;

/**
 * One route's last five minutes, in slots of five seconds: counts and three latency histograms per
 * slot. Event loops record into the current slot with atomic increments, no lock; a slot whose
 * time has passed is replaced when it comes round again. A reader sums the slots of the window it
 * asks for; the current slot counts for the part of it that has passed.
 */
final class RouteWindow {

    static final Duration SLOT = Duration.ofSeconds(5);
    private static final int SLOTS = 60;
    private static final long SLOT_NANOS = SLOT.toNanos();

    /** What a slot counts, one index each. */
    enum Count { REQUESTS, ERRORS, SHED_OVERLOAD, QUEUE_FULL, RATE_LIMITED, RETRIES, FALLBACKS }

    /** Its three histograms. */
    enum Timing { LATENCY, FIRST_TOKEN, QUEUE_WAIT }

    /** Five seconds of the route: what a request that ends in them records into. */
    static final class Slot {
        final long index;
        final AtomicLongArray counts = new AtomicLongArray(Count.values().length);
        final AtomicLongArray timings = new AtomicLongArray(Timing.values().length * LatencyBuckets.COUNT);

        Slot(long index) {
            this.index = index;
        }

        void count(Count count, long n) {
            counts.addAndGet(count.ordinal(), n);
        }

        void time(Timing timing, long nanos) {
            timings.incrementAndGet(timing.ordinal() * LatencyBuckets.COUNT + LatencyBuckets.of(nanos));
        }
    }

    private final Ticker ticker;
    private final long origin;
    private final AtomicReferenceArray<Slot> slots = new AtomicReferenceArray<>(SLOTS);

    /** @param origin when the board began counting (the gateway's start), on {@code ticker}'s clock */
    RouteWindow(Ticker ticker, long origin) {
        this.ticker = ticker;
        this.origin = origin;
    }

    /** The slot of now: a request's several records into it read the clock once. */
    Slot current() {
        long index = (ticker.nanoTime() - origin) / SLOT_NANOS;
        int at = (int) (index % SLOTS);
        Slot slot = slots.get(at);
        while (slot == null || slot.index != index) {
            Slot fresh = new Slot(index);
            if (slots.compareAndSet(at, slot, fresh)) {
                return fresh;
            }
            slot = slots.get(at);
        }
        return slot;
    }

    /** {@code count} in each slot of the last five minutes, oldest first; 0 for a slot with nothing. */
    long[] series(Count count) {
        long index = (ticker.nanoTime() - origin) / SLOT_NANOS;
        long[] series = new long[SLOTS];
        for (int k = 0; k < SLOTS; k++) {
            long i = index - SLOTS + 1 + k;
            Slot slot = i < 0 ? null : slots.get((int) (i % SLOTS));
            series[k] = slot != null && slot.index == i ? slot.counts.get(count.ordinal()) : 0;
        }
        return series;
    }

    /** The window's last {@code span}, summed. */
    Summary summary(Duration span) {
        long now = ticker.nanoTime() - origin;
        long index = now / SLOT_NANOS;
        long first = Math.max(0, index - span.toNanos() / SLOT_NANOS + 1);
        long[] counts = new long[Count.values().length];
        long[] timings = new long[Timing.values().length * LatencyBuckets.COUNT];
        for (long i = first; i <= index; i++) {
            Slot slot = slots.get((int) (i % SLOTS));
            if (slot != null && slot.index == i) {
                for (int c = 0; c < counts.length; c++) {
                    counts[c] += slot.counts.get(c);
                }
                for (int t = 0; t < timings.length; t++) {
                    timings[t] += slot.timings.get(t);
                }
            }
        }
        // Rates over the time the window covers, shorter while the gateway is young, never under a second.
        double seconds = Math.max(1, (now - first * SLOT_NANOS) / 1e9);
        return new Summary(counts, timings, seconds);
    }

    /** A window's sums, and how many seconds it covers (less than asked for while the gateway is young). */
    record Summary(long[] counts, long[] timings, double seconds) {

        long count(Count count) {
            return counts[count.ordinal()];
        }

        double perSecond(Count count) {
            return count(count) / seconds;
        }

        /** The {@code q} quantile of {@code timing} in seconds; NaN with nothing timed. */
        double quantile(Timing timing, double q) {
            long[] histogram = new long[LatencyBuckets.COUNT];
            System.arraycopy(timings, timing.ordinal() * LatencyBuckets.COUNT, histogram, 0, LatencyBuckets.COUNT);
            return LatencyBuckets.quantile(q, histogram);
        }
    }
}
