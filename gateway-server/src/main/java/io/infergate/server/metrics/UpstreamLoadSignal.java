package io.infergate.server.metrics;

import io.infergate.core.load.LoadReport;

import java.util.function.ToDoubleFunction;

/** The {@code signal} label of {@code gateway_upstream_load}: each value a {@link LoadReport} may carry. */
enum UpstreamLoadSignal {
    GPU_UTILIZATION("gpu_utilization", LoadReport::gpuUtilization),
    QUEUE_DEPTH("queue_depth", LoadReport::queueDepth),
    RUNNING("running", LoadReport::running),
    KV_CACHE_USAGE("kv_cache_usage", LoadReport::kvCacheUsage),
    MAX_CONCURRENT("max_concurrent", LoadReport::maxConcurrent),
    QUEUE_TIME_SECONDS("queue_time_seconds", LoadReport::queueTime),
    INFERENCE_TIME_SECONDS("inference_time_seconds", LoadReport::inferenceTime),
    TIME_PER_TOKEN_SECONDS("time_per_token_seconds", LoadReport::timePerToken);

    final String label;
    private final ToDoubleFunction<LoadReport> value;

    UpstreamLoadSignal(String label, ToDoubleFunction<LoadReport> value) {
        this.label = label;
        this.value = value;
    }

    /** The signal's value in {@code report}; NaN when there is no report or it did not say. */
    double of(LoadReport report) {
        return report == null ? Double.NaN : value.applyAsDouble(report);
    }
}
