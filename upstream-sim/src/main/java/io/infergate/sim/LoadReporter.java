package io.infergate.sim;

import io.netty.handler.codec.http.HttpHeaders;

import java.util.Locale;

/**
 * Load reports on responses. GPU utilisation follows batch occupancy (running / maxBatch); KV cache
 * usage is the tokens the running sequences reserve over the cache capacity.
 */
final class LoadReporter {

    static final String ORCA_HEADER = "endpoint-load-metrics";
    static final String ORCA_FORMAT_HEADER = "endpoint-load-metrics-format";
    static final String GPU_HEADER = "x-gpu-utilization";
    static final String QUEUE_DEPTH_HEADER = "x-queue-depth";

    private final SimConfig config;
    private final BatchScheduler scheduler;

    LoadReporter(SimConfig config, BatchScheduler scheduler) {
        this.config = config;
        this.scheduler = scheduler;
    }

    double gpuUtilization() {
        return (double) scheduler.running() / scheduler.maxBatch();
    }

    double kvCacheUsage() {
        return Math.min(1.0, (double) scheduler.reservedTokens() / config.kvCapacityTokens());
    }

    /**
     * Adds the configured load headers. vLLM's opt-in ORCA report (request header
     * {@code endpoint-load-metrics-format: text|json}) goes on non-streaming responses only, as vLLM does.
     */
    void addHeaders(HttpHeaders requestHeaders, HttpHeaders response, boolean streaming) {
        String requested = requestHeaders.get(ORCA_FORMAT_HEADER, "").trim().toLowerCase(Locale.ROOT);
        boolean vllmOptIn = config.flavor() == Flavor.VLLM && !streaming
                && (requested.equals("text") || requested.equals("json"));
        if (config.loadHeaders().contains(LoadHeader.ORCA) || vllmOptIn) {
            response.set(ORCA_HEADER, requested.equals("json") ? orcaJson() : orcaText());
        }
        if (config.loadHeaders().contains(LoadHeader.GPU)) {
            response.set(GPU_HEADER, number(gpuUtilization()));
            response.set(QUEUE_DEPTH_HEADER, Integer.toString(scheduler.queued()));
        }
    }

    String orcaText() {
        return "TEXT named_metrics.gpu_utilization=" + number(gpuUtilization())
                + ", named_metrics.kv_cache_usage_perc=" + number(kvCacheUsage())
                + ", named_metrics.num_requests_waiting=" + number(scheduler.queued())
                + ", named_metrics.num_requests_running=" + number(scheduler.running());
    }

    String orcaJson() {
        var node = Json.object();
        node.putObject("named_metrics")
                .put("gpu_utilization", round(gpuUtilization()))
                .put("kv_cache_usage_perc", round(kvCacheUsage()))
                .put("num_requests_waiting", (double) scheduler.queued())
                .put("num_requests_running", (double) scheduler.running());
        return "JSON " + Json.write(node);
    }

    private static String number(double value) {
        return Double.toString(round(value));
    }

    private static double round(double value) {
        return Math.round(value * 1000) / 1000.0;
    }
}
