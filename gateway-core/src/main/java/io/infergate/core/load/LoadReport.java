package io.infergate.core.load;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * What one endpoint last said about its load, and when the gateway heard it. Each source says only
 * part of it (a response header the GPU, the poller the queue), so a value the source did not
 * report is {@link Double#NaN} and merging keeps what another source said. Known values are finite
 * and not negative.
 *
 * @param source         where the report came from
 * @param receivedNanos  the {@link io.infergate.core.Ticker} time it arrived
 * @param gpuUtilization busy fraction of the GPU, 0–1 (ORCA's application utilization may exceed 1)
 * @param queueDepth     requests waiting upstream, not yet in a batch
 * @param running        requests in the running batch
 * @param kvCacheUsage   used fraction of the KV cache, 0–1
 * @param maxConcurrent  how many requests the endpoint admits at once, if it says
 * @param queueTime      TGI's time in queue for the request that carried it, seconds
 * @param inferenceTime  TGI's batch time for that request, seconds
 * @param timePerToken   TGI's inference time per generated token, seconds
 */
public record LoadReport(
        Source source,
        long receivedNanos,
        double gpuUtilization,
        double queueDepth,
        double running,
        double kvCacheUsage,
        double maxConcurrent,
        double queueTime,
        double inferenceTime,
        double timePerToken) {

    /** Where a report came from. */
    public enum Source {
        /** An ORCA {@code endpoint-load-metrics} header. */
        ORCA,
        /** TGI's {@code x-queue-time}, {@code x-inference-time} and {@code x-time-per-token}. */
        TGI_HEADERS,
        /** Headers the route names, such as {@code X-GPU-Utilization}. */
        ROUTE_HEADERS,
        /** The endpoint's Prometheus page, fetched by a poller. */
        POLL
    }

    public LoadReport {
        Objects.requireNonNull(source, "source");
        check("gpuUtilization", gpuUtilization);
        check("queueDepth", queueDepth);
        check("running", running);
        check("kvCacheUsage", kvCacheUsage);
        check("maxConcurrent", maxConcurrent);
        check("queueTime", queueTime);
        check("inferenceTime", inferenceTime);
        check("timePerToken", timePerToken);
    }

    /** A report that says nothing yet; the {@code with...} methods add what a source said. */
    public static LoadReport empty(Source source, long receivedNanos) {
        double u = Double.NaN;
        return new LoadReport(source, receivedNanos, u, u, u, u, u, u, u, u);
    }

    /** Whether a value was reported. */
    public static boolean known(double value) {
        return !Double.isNaN(value);
    }

    public LoadReport withGpuUtilization(double value) {
        return new LoadReport(source, receivedNanos, value, queueDepth, running, kvCacheUsage, maxConcurrent,
                queueTime, inferenceTime, timePerToken);
    }

    public LoadReport withQueueDepth(double value) {
        return new LoadReport(source, receivedNanos, gpuUtilization, value, running, kvCacheUsage, maxConcurrent,
                queueTime, inferenceTime, timePerToken);
    }

    public LoadReport withRunning(double value) {
        return new LoadReport(source, receivedNanos, gpuUtilization, queueDepth, value, kvCacheUsage, maxConcurrent,
                queueTime, inferenceTime, timePerToken);
    }

    public LoadReport withKvCacheUsage(double value) {
        return new LoadReport(source, receivedNanos, gpuUtilization, queueDepth, running, value, maxConcurrent,
                queueTime, inferenceTime, timePerToken);
    }

    public LoadReport withMaxConcurrent(double value) {
        return new LoadReport(source, receivedNanos, gpuUtilization, queueDepth, running, kvCacheUsage, value,
                queueTime, inferenceTime, timePerToken);
    }

    public LoadReport withQueueTime(double seconds) {
        return new LoadReport(source, receivedNanos, gpuUtilization, queueDepth, running, kvCacheUsage, maxConcurrent,
                seconds, inferenceTime, timePerToken);
    }

    public LoadReport withInferenceTime(double seconds) {
        return new LoadReport(source, receivedNanos, gpuUtilization, queueDepth, running, kvCacheUsage, maxConcurrent,
                queueTime, seconds, timePerToken);
    }

    public LoadReport withTimePerToken(double seconds) {
        return new LoadReport(source, receivedNanos, gpuUtilization, queueDepth, running, kvCacheUsage, maxConcurrent,
                queueTime, inferenceTime, seconds);
    }

    /** True when no value is known: such a report says nothing and changes nothing when merged. */
    public boolean isEmpty() {
        return !known(gpuUtilization) && !known(queueDepth) && !known(running) && !known(kvCacheUsage)
                && !known(maxConcurrent) && !known(queueTime) && !known(inferenceTime) && !known(timePerToken);
    }

    /**
     * This report laid over an {@code older} one: each value this one reports wins, the others keep
     * what the older one said, so a header-only report does not erase what the poller knows. The
     * result carries this report's source and time, so the older values look as fresh as this one;
     * to let one source's values age out on their own, keep a report per source and use
     * {@link #freshest}.
     */
    public LoadReport over(LoadReport older) {
        if (isEmpty()) {
            return older;
        }
        return new LoadReport(source, receivedNanos,
                either(gpuUtilization, older.gpuUtilization),
                either(queueDepth, older.queueDepth),
                either(running, older.running),
                either(kvCacheUsage, older.kvCacheUsage),
                either(maxConcurrent, older.maxConcurrent),
                either(queueTime, older.queueTime),
                either(inferenceTime, older.inferenceTime),
                either(timePerToken, older.timePerToken));
    }

    /** Whether more than {@code staleAfter} has passed since the report arrived. */
    public boolean isStale(long nowNanos, Duration staleAfter) {
        return nowNanos - receivedNanos > staleAfter.toNanos();
    }

    /**
     * The reports that are not stale, each laid over the ones that arrived before it; empty when
     * none is left. With one report kept per source, a source that stops reporting drops out after
     * {@code staleAfter} while the others keep theirs.
     */
    public static Optional<LoadReport> freshest(List<LoadReport> reports, long nowNanos, Duration staleAfter) {
        List<LoadReport> fresh = new ArrayList<>();
        for (LoadReport report : reports) {
            if (!report.isStale(nowNanos, staleAfter) && !report.isEmpty()) {
                fresh.add(report);
            }
        }
        fresh.sort(Comparator.comparingLong(r -> r.receivedNanos - nowNanos));
        LoadReport merged = null;
        for (LoadReport report : fresh) {
            merged = merged == null ? report : report.over(merged);
        }
        return Optional.ofNullable(merged);
    }

    /**
     * How busy the endpoint is, from the best signal it gave: GPU utilization, else KV cache usage,
     * else (queued + running) / capacity when the capacity is known; NaN when none of these is.
     * Above 1 means more work than the endpoint can take at once.
     */
    public double utilization() {
        if (known(gpuUtilization)) {
            return gpuUtilization;
        }
        if (known(kvCacheUsage)) {
            return kvCacheUsage;
        }
        if (known(maxConcurrent) && maxConcurrent > 0 && (known(queueDepth) || known(running))) {
            return (orZero(queueDepth) + orZero(running)) / maxConcurrent;
        }
        return Double.NaN;
    }

    private static double either(double newer, double older) {
        return known(newer) ? newer : older;
    }

    private static double orZero(double value) {
        return known(value) ? value : 0;
    }

    private static void check(String name, double value) {
        if (known(value) && !(value >= 0 && value < Double.POSITIVE_INFINITY)) {
            throw new IllegalArgumentException(name + " must be finite and not negative, was " + value);
        }
    }
}
