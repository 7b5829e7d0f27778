package io.infergate.core.capacity;

import io.infergate.core.load.LoadReport;
import io.infergate.core.upstream.EndpointLoad;

import java.time.Duration;

/**
 * Whether an endpoint queues inside itself, from what it says: TGI's queue and inference times of
 * the window's requests first, else a queue depth it reported (ORCA, the polled page) since the
 * last window. Remembers when it last said anything, so that an endpoint that went quiet shows.
 */
final class QueueSignal {

    /** Queue time under this share of a request's time, or under the floor, is scheduling, not queueing. */
    private static final double SHARE_TOLERATED = 0.05;
    private static final long FLOOR_NANOS = Duration.ofMillis(5).toNanos();
    /** The sources that report a queue depth as a level rather than per request. */
    private static final LoadReport.Source[] DEPTH_SOURCES = {LoadReport.Source.ORCA, LoadReport.Source.POLL};

    private long lastDepthReport = Long.MIN_VALUE;
    private long lastHeard;
    private boolean heard;

    /**
     * The share of the endpoint's work that is queueing, by which the limit is cut: 0 when it did not
     * queue, NaN when it said nothing new in this window.
     */
    double share(LimitWindow.Sample sample, EndpointLoad load, Duration staleAfter, long now, int limit) {
        if (sample.timed() > 0) {
            heard(now);
            double queue = sample.meanQueueNanos();
            double total = queue + sample.meanInferenceNanos();
            return queue > Math.max(FLOOR_NANOS, SHARE_TOLERATED * total) ? queue / total : 0;
        }
        double depth = Double.NaN;
        for (LoadReport.Source source : DEPTH_SOURCES) {
            LoadReport report = load.last(source);
            if (report != null && report.receivedNanos() > lastDepthReport && !report.isStale(now, staleAfter)
                    && LoadReport.known(report.queueDepth())) {
                lastDepthReport = report.receivedNanos();
                depth = report.queueDepth();
            }
        }
        if (Double.isNaN(depth)) {
            return Double.NaN;
        }
        heard(now);
        return depth / (limit + depth);
    }

    /** Whether the endpoint told of its queueing once and has said nothing for longer than {@code staleAfter}. */
    boolean wentQuiet(long now, Duration staleAfter) {
        return heard && now - lastHeard > staleAfter.toNanos();
    }

    /** Whether it ever told of its queueing. */
    boolean everHeard() {
        return heard;
    }

    private void heard(long now) {
        heard = true;
        lastHeard = now;
    }
}
