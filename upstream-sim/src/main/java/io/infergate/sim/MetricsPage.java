package io.infergate.sim;

/** The {@code /metrics} page in Prometheus text format, with TGI's or vLLM's metric names. */
final class MetricsPage {

    static final String CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

    private final SimConfig config;
    private final BatchScheduler scheduler;
    private final Counters counters;
    private final LoadReporter load;

    MetricsPage(SimConfig config, BatchScheduler scheduler, Counters counters, LoadReporter load) {
        this.config = config;
        this.scheduler = scheduler;
        this.counters = counters;
        this.load = load;
    }

    String render() {
        StringBuilder out = new StringBuilder(8192);
        if (config.flavor() == Flavor.VLLM) {
            vllm(out);
        } else {
            tgi(out);
        }
        return out.toString();
    }

    /** TGI's exporter: counters without {@code _total}, durations in seconds. */
    private void tgi(StringBuilder out) {
        gauge(out, "tgi_queue_size", "", scheduler.queued());
        gauge(out, "tgi_batch_current_size", "", scheduler.running());
        gauge(out, "tgi_batch_current_max_tokens", "", scheduler.reservedTokens());
        gauge(out, "tgi_batch_max_total_tokens", "", config.kvCapacityTokens());
        counter(out, "tgi_request_count", "", counters.received.sum());
        counter(out, "tgi_request_success", "", counters.completed.sum());
        out.append("# TYPE tgi_request_failure counter\n");
        sample(out, "tgi_request_failure", "{err=\"overloaded\"}", counters.overloaded.sum());
        sample(out, "tgi_request_failure", "{err=\"validation\"}", counters.validationFailures.sum());
        sample(out, "tgi_request_failure", "{err=\"generation\"}", counters.generationFailures.sum());
        counters.requestDuration.writeTo(out, "tgi_request_duration", "");
        counters.queueDuration.writeTo(out, "tgi_request_queue_duration", "");
    }

    private void vllm(StringBuilder out) {
        String labels = "model_name=\"" + config.modelId().replace("\"", "\\\"") + "\"";
        String braces = "{" + labels + "}";
        help(out, "vllm:num_requests_running", "Number of requests in model execution batches.", "gauge");
        sample(out, "vllm:num_requests_running", braces, (double) scheduler.running());
        help(out, "vllm:num_requests_waiting", "Number of requests waiting to be processed.", "gauge");
        sample(out, "vllm:num_requests_waiting", braces, (double) scheduler.queued());
        help(out, "vllm:kv_cache_usage_perc", "KV-cache usage. 1 means 100 percent usage.", "gauge");
        sample(out, "vllm:kv_cache_usage_perc", braces, load.kvCacheUsage());
        // The name before vLLM renamed it; scrapers of older versions read this one.
        help(out, "vllm:gpu_cache_usage_perc", "GPU KV-cache usage. 1 means 100 percent usage.", "gauge");
        sample(out, "vllm:gpu_cache_usage_perc", braces, load.kvCacheUsage());
        help(out, "vllm:prompt_tokens_total", "Number of prefill tokens processed.", "counter");
        sample(out, "vllm:prompt_tokens_total", braces, (double) counters.promptTokens.sum());
        help(out, "vllm:generation_tokens_total", "Number of generation tokens processed.", "counter");
        sample(out, "vllm:generation_tokens_total", braces, (double) counters.generatedTokens.sum());
        help(out, "vllm:request_success_total", "Count of successfully processed requests.", "counter");
        sample(out, "vllm:request_success_total", "{finished_reason=\"length\"," + labels + "}",
                (double) counters.finishedByLength.sum());
        sample(out, "vllm:request_success_total", "{finished_reason=\"stop\"," + labels + "}",
                (double) counters.finishedByEos.sum());
        counters.requestDuration.writeTo(out, "vllm:e2e_request_latency_seconds", labels + ",");
        counters.queueDuration.writeTo(out, "vllm:request_queue_time_seconds", labels + ",");
    }

    private static void gauge(StringBuilder out, String name, String labels, long value) {
        out.append("# TYPE ").append(name).append(" gauge\n");
        sample(out, name, labels, value);
    }

    private static void counter(StringBuilder out, String name, String labels, long value) {
        out.append("# TYPE ").append(name).append(" counter\n");
        sample(out, name, labels, value);
    }

    private static void help(StringBuilder out, String name, String help, String type) {
        out.append("# HELP ").append(name).append(' ').append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static void sample(StringBuilder out, String name, String labels, Object value) {
        out.append(name).append(labels).append(' ').append(value).append('\n');
    }
}
