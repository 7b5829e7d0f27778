package io.infergate.core.capacity;

import java.time.Duration;

/**
 * The secondary signal, as in the gradient family: latency per generated token of a window against
 * its baseline, a slow moving average of the windows before; when the endpoint gives none, a
 * stream's time to its first token (which holds the endpoint's queueing and prefill, whatever the
 * answer's length), else the latency per request. Twice the baseline, and more than a floor above
 * it, is a rise. Also keeps the time of a request, which says how long a change of the limit takes
 * to show.
 */
final class LatencyGradient {

    private static final double TOLERANCE = 2.0;
    /** A rise in latency smaller than this is noise for inference, whatever the ratio (a fast upstream). */
    private static final long LATENCY_FLOOR_NANOS = Duration.ofMillis(10).toNanos();
    private static final long PER_TOKEN_FLOOR_NANOS = Duration.ofMillis(1).toNanos();
    private static final double BASELINE_WEIGHT = 0.05;
    private static final double SERVICE_WEIGHT = 0.2;

    private double latencyBaseline = Double.NaN;
    private double perTokenBaseline = Double.NaN;
    private double firstTokenBaseline = Double.NaN;
    private double serviceNanos = Double.NaN;

    /** Whether the window's latency per token, else time to first token, else per request, rose past its baseline; the baselines move on. */
    boolean rising(LimitWindow.Sample sample) {
        if (sample.completed() > 0) {
            // Down at once, up slowly: a cold start's slow first requests must not hold growth back.
            double now = sample.meanLatencyNanos();
            serviceNanos = now < serviceNanos ? now : average(serviceNanos, now, SERVICE_WEIGHT);
        }
        if (sample.perToken() > 0) {
            double now = sample.meanPerTokenNanos();
            boolean rising = above(now, perTokenBaseline, PER_TOKEN_FLOOR_NANOS);
            perTokenBaseline = average(perTokenBaseline, now, BASELINE_WEIGHT);
            return rising;
        }
        if (sample.firstTokens() > 0) {
            double now = sample.meanFirstTokenNanos();
            boolean rising = above(now, firstTokenBaseline, LATENCY_FLOOR_NANOS);
            firstTokenBaseline = average(firstTokenBaseline, now, BASELINE_WEIGHT);
            return rising;
        }
        if (sample.completed() > 0) {
            double now = sample.meanLatencyNanos();
            boolean rising = above(now, latencyBaseline, LATENCY_FLOOR_NANOS);
            latencyBaseline = average(latencyBaseline, now, BASELINE_WEIGHT);
            return rising;
        }
        return false;
    }

    /** The mean time of a request at the endpoint, in nanoseconds; NaN before the first window with one. */
    double serviceNanos() {
        return serviceNanos;
    }

    private static double average(double mean, double value, double weight) {
        return Double.isNaN(mean) ? value : mean + weight * (value - mean);
    }

    private static boolean above(double now, double baseline, long floor) {
        return !Double.isNaN(baseline) && now > TOLERANCE * baseline && now - baseline > floor;
    }
}
