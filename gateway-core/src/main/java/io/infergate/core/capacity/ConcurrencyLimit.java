package io.infergate.core.capacity;

import io.infergate.core.Ticker;
import io.infergate.core.load.LoadReport;
import io.infergate.core.upstream.EndpointLoad;

import java.time.Duration;

/**
 * How many requests one route sends to one endpoint at once: fixed, or learned within bounds.
 * <p>
 * A learned limit is decided once a window (a second, or sooner once half the limit's worth of
 * requests ended or an overload answer came), on what the endpoint said about itself first:
 * <ol>
 *   <li>an overload answer ({@code 429}) halves it;</li>
 *   <li>queueing inside the endpoint cuts it by the share of the time its requests spent queued
 *   (TGI's {@code x-queue-time} against {@code x-inference-time}), or by the depth of the queue it
 *   reports (ORCA, the polled page): by Little's law that leaves about what it runs at once;</li>
 *   <li>latency per generated token (else a stream's time to its first token, else per request)
 *   twice its baseline, a slow moving average of the windows, cuts it by a tenth, as in the gradient
 *   family;</li>
 *   <li>otherwise, when the limit was in use and the endpoint did not queue, it grows: doubling until
 *   the first cut, then by a tenth (at least one); but not before two service times have passed since
 *   the last change, since a request sent at the new limit that queues inside the endpoint ends
 *   only after a wait and its own service, later than the ones that did not queue.</li>
 * </ol>
 * An endpoint that reported its queueing and went quiet (its signals stale while requests run) is
 * held, never grown, as a saturated one would be. A request that started before the limit last
 * changed says nothing about the new one, so its samples are dropped: otherwise the queue built
 * before a cut would cut again and again as its requests end, and growth would be judged on requests
 * that never ran at the grown limit. It starts from what the endpoint reports it admits
 * ({@code max_concurrent_requests}) when the first window has it, else from {@link #START}.
 * <p>
 * The per-request calls ({@link #started}, {@link #completed}, {@link #timings}, {@link #firstToken},
 * {@link #overloaded}) only count, lock-free; {@link #limit()} is a volatile read; {@link #update}
 * runs on a timer.
 */
public final class ConcurrencyLimit {

    /** Where a learned limit starts when the endpoint says nothing: today's fixed default. */
    public static final int START = 8;

    /** No limit at all, for a route without admission. */
    public static final ConcurrencyLimit UNBOUNDED = fixed(Integer.MAX_VALUE);

    private static final long WINDOW_NANOS = Duration.ofSeconds(1).toNanos();
    private static final long MIN_WINDOW_NANOS = Duration.ofMillis(250).toNanos();
    private static final double OVERLOAD_FACTOR = 0.5;
    private static final double MIN_FACTOR = 0.5;
    private static final double MAX_QUEUE_FACTOR = 0.95;
    private static final double LATENCY_FACTOR = 0.9;
    /** The limit counts as in use when the peak in flight reached this share of it. */
    private static final double IN_USE = 0.8;

    private final boolean learned;
    private final int min;
    private final int max;
    private final Ticker ticker;
    private final LimitWindow window = new LimitWindow();
    private final QueueSignal queueing = new QueueSignal();
    private final LatencyGradient latency = new LatencyGradient();
    private volatile int limit;
    private volatile LimitCause cause;
    /**
     * The highest limit the endpoint has been seen to run without queueing: the limit a growth left
     * (a window in use at it without queueing proved it), or what a cut by its queueing left; never
     * above another cut's limit. Starts at the lower bound; a fixed limit is proven by the operator's word.
     */
    private volatile int proven;
    /** When the limit last changed; samples of requests started before it are dropped. */
    private volatile long changedAtNanos;

    /** Doubling until the first cut: the endpoint has not queued yet. Written under this. */
    private volatile boolean slowStart = true;

    // Guarded by this: the decision's state.
    private double exact;
    private long windowStart;

    private ConcurrencyLimit(boolean learned, int min, int max, int start, LimitCause cause, Ticker ticker) {
        this.learned = learned;
        this.min = min;
        this.max = max;
        this.ticker = ticker;
        this.exact = start;
        this.limit = start;
        this.proven = learned ? min : start;
        this.cause = cause;
        this.windowStart = ticker.nanoTime();
        this.changedAtNanos = windowStart;
    }

    public static ConcurrencyLimit fixed(int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: >= 1)");
        }
        return new ConcurrencyLimit(false, limit, limit, limit, LimitCause.FIXED, () -> 0L);
    }

    public static ConcurrencyLimit learned(int min, int max, Ticker ticker) {
        if (min < 1 || max < min) {
            throw new IllegalArgumentException("bounds " + min + ".." + max + " (expected: 1 <= min <= max)");
        }
        return new ConcurrencyLimit(true, min, max, Math.max(min, Math.min(max, START)), LimitCause.START, ticker);
    }

    /** Requests to send to the endpoint at once, now. */
    public int limit() {
        return limit;
    }

    /**
     * Of {@link #limit()}, how many requests at once the endpoint has been seen to run without
     * queueing inside itself; one sent past them may wait a service time there before its own.
     */
    public int proven() {
        return Math.min(limit, proven);
    }

    /** What set the limit last. */
    public LimitCause cause() {
        return cause;
    }

    public boolean isLearned() {
        return learned;
    }

    /**
     * Whether the limit is still growing towards a capacity it has not found: learned, never cut (the
     * endpoint has not queued, been overloaded or gone quiet) and below its bound. Until then it is a
     * floor of what the endpoint takes, not a measure of it.
     */
    public boolean growing() {
        return learned && slowStart && cause != LimitCause.STALE && limit < max;
    }

    /** Whether this limit is learned between {@code min} and {@code max}, so a reload that asks the same may keep it. */
    public boolean learnsWithin(int min, int max) {
        return learned && this.min == min && this.max == max;
    }

    /** A request went to the endpoint, which has {@code inFlight} of them now. */
    public void started(int inFlight) {
        if (learned) {
            window.started(inFlight);
        }
    }

    /** A request sent at {@code startedNanos} ended cleanly after {@code latencyNanos} at the endpoint. */
    public void completed(long startedNanos, long latencyNanos) {
        if (learned && latencyNanos >= 0 && startedNanos >= changedAtNanos) {
            window.completed(latencyNanos);
        }
    }

    /** TGI's timings, in seconds, for a request sent at {@code startedNanos}; NaN where a header was absent. */
    public void timings(long startedNanos, double queueSeconds, double inferenceSeconds, double perTokenSeconds) {
        if (!learned || startedNanos < changedAtNanos) {
            return;
        }
        if (LoadReport.known(queueSeconds) && LoadReport.known(inferenceSeconds)) {
            window.timed((long) (queueSeconds * 1e9), (long) (inferenceSeconds * 1e9));
        }
        if (LoadReport.known(perTokenSeconds)) {
            window.perToken((long) (perTokenSeconds * 1e9));
        }
    }

    /** A stream sent at {@code startedNanos} relayed its first token {@code nanos} later. */
    public void firstToken(long startedNanos, long nanos) {
        if (learned && nanos >= 0 && startedNanos >= changedAtNanos) {
            window.firstToken(nanos);
        }
    }

    /** The endpoint answered that it is overloaded. */
    public void overloaded() {
        if (learned) {
            window.overloaded();
        }
    }

    /**
     * Ends the window when it is due and decides the limit from it; returns whether the limit changed.
     *
     * @param load       what the endpoint reports about its load (queue depth, what it admits)
     * @param staleAfter how long a report is believed
     * @param inFlight   requests in flight to the endpoint now
     */
    public synchronized boolean update(EndpointLoad load, Duration staleAfter, int inFlight) {
        if (!learned) {
            return false;
        }
        long now = ticker.nanoTime();
        long elapsed = now - windowStart;
        if (elapsed < MIN_WINDOW_NANOS || elapsed < WINDOW_NANOS && !window.hasNews(Math.max(4, limit / 2))) {
            return false;
        }
        windowStart = now;
        LimitWindow.Sample sample = window.drain(inFlight);
        int before = limit;
        decide(sample, load, staleAfter, now);
        limit = Math.max(min, Math.min(max, (int) Math.floor(exact)));
        if (limit != before) {
            changedAtNanos = now;
        }
        return limit != before;
    }

    private void decide(LimitWindow.Sample sample, EndpointLoad load, Duration staleAfter, long now) {
        if (cause == LimitCause.START && startFromReport(load, staleAfter, now)) {
            return;
        }
        boolean rising = latency.rising(sample);
        if (sample.overloads() > 0) {
            cut(OVERLOAD_FACTOR, LimitCause.OVERLOAD);
            return;
        }
        double share = queueing.share(sample, load, staleAfter, now, limit);
        if (share > 0) {
            cut(Math.max(MIN_FACTOR, Math.min(MAX_QUEUE_FACTOR, 1 - share)), LimitCause.QUEUEING);
        } else if (rising) {
            cut(LATENCY_FACTOR, LimitCause.LATENCY);
        } else if (Double.isNaN(share) && queueing.everHeard()) {
            if (queueing.wentQuiet(now, staleAfter) && sample.peakInFlight() > 0) {
                cause = LimitCause.STALE; // it told, and has stopped telling: not grown on no news
            }
        } else if (sample.completed() > 0 && sample.peakInFlight() >= IN_USE * limit && limit < max
                && !(now - changedAtNanos < 2 * latency.serviceNanos())) {
            proven = limit; // a window in use at it, and the endpoint did not queue
            exact = Math.min(max, slowStart ? exact * 2 : exact + Math.max(1, exact / 10));
            cause = LimitCause.GROWTH;
        }
    }

    /** The first window with a fresh {@code max_concurrent_requests} starts from it. */
    private boolean startFromReport(EndpointLoad load, Duration staleAfter, long now) {
        LoadReport polled = load.last(LoadReport.Source.POLL);
        if (polled == null || polled.isStale(now, staleAfter) || !LoadReport.known(polled.maxConcurrent())) {
            return false;
        }
        exact = Math.max(min, Math.min(max, polled.maxConcurrent()));
        slowStart = false;
        cause = LimitCause.REPORTED;
        return true;
    }

    private void cut(double factor, LimitCause why) {
        exact = Math.max(min, exact * factor);
        int cutTo = Math.max(min, (int) Math.floor(exact));
        // A cut by the endpoint's queueing leaves about what it runs at once; any other cut says only "less".
        proven = why == LimitCause.QUEUEING ? cutTo : Math.min(proven, cutTo);
        slowStart = false;
        cause = why;
    }

    @Override
    public String toString() {
        return limit + " (" + cause.tag() + ")";
    }
}
