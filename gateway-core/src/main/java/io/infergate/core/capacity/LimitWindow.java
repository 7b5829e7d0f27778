package io.infergate.core.capacity;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/**
 * What one endpoint's requests said during the current window, counted from any event loop without
 * a lock and without allocating: requests ended and their latency, TGI's timings, streams' time to
 * their first token, overload answers,
 * and the most requests in flight at once. {@link #drain} reads and restarts it.
 */
final class LimitWindow {

    /** One window's figures; means are NaN where nothing was counted. */
    record Sample(long completed, double meanLatencyNanos, long timed, double meanQueueNanos,
                  double meanInferenceNanos, long perToken, double meanPerTokenNanos, long firstTokens,
                  double meanFirstTokenNanos, long overloads, int peakInFlight) {}

    private final AtomicInteger peakInFlight = new AtomicInteger();
    private final LongAdder completed = new LongAdder();
    private final LongAdder latencyNanos = new LongAdder();
    private final LongAdder timed = new LongAdder();
    private final LongAdder queueNanos = new LongAdder();
    private final LongAdder inferenceNanos = new LongAdder();
    private final LongAdder perToken = new LongAdder();
    private final LongAdder perTokenNanos = new LongAdder();
    private final LongAdder firstTokens = new LongAdder();
    private final LongAdder firstTokenNanos = new LongAdder();
    private final LongAdder overloads = new LongAdder();

    void started(int inFlight) {
        if (inFlight > peakInFlight.get()) {
            peakInFlight.accumulateAndGet(inFlight, Math::max);
        }
    }

    void completed(long nanos) {
        completed.increment();
        latencyNanos.add(nanos);
    }

    void timed(long queue, long inference) {
        timed.increment();
        queueNanos.add(queue);
        inferenceNanos.add(inference);
    }

    void perToken(long nanos) {
        perToken.increment();
        perTokenNanos.add(nanos);
    }

    void firstToken(long nanos) {
        firstTokens.increment();
        firstTokenNanos.add(nanos);
    }

    void overloaded() {
        overloads.increment();
    }

    /** Whether the window has something to decide on already: an overload, or {@code enough} requests ended. */
    boolean hasNews(long enough) {
        return overloads.sum() > 0 || completed.sum() >= enough;
    }

    /** The window's figures; the next window starts with {@code inFlightNow} as its peak, since those still run. */
    Sample drain(int inFlightNow) {
        long n = completed.sumThenReset();
        long t = timed.sumThenReset();
        long p = perToken.sumThenReset();
        long f = firstTokens.sumThenReset();
        return new Sample(n, mean(latencyNanos.sumThenReset(), n), t, mean(queueNanos.sumThenReset(), t),
                mean(inferenceNanos.sumThenReset(), t), p, mean(perTokenNanos.sumThenReset(), p),
                f, mean(firstTokenNanos.sumThenReset(), f), overloads.sumThenReset(), peakInFlight.getAndSet(inFlightNow));
    }

    private static double mean(long sum, long count) {
        return count == 0 ? Double.NaN : (double) sum / count;
    }
}
