package io.infergate.core.load;

import io.infergate.core.load.LoadReport.Source;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class PrometheusLoadParserTest {

    /** The reference's illustrative TGI page, verbatim. */
    private static final String TGI_PAGE = """
            # TYPE tgi_queue_size gauge
            tgi_queue_size 3
            # TYPE tgi_batch_current_size gauge
            tgi_batch_current_size 12
            # TYPE tgi_request_count counter
            tgi_request_count 1042
            tgi_request_failure{err="overloaded"} 7
            tgi_request_queue_duration_bucket{le="0.00015"} 0
            tgi_request_queue_duration_sum 12.5
            tgi_request_queue_duration_count 1035
            """;

    private static final String TGI_INFO = """
            {"model_id":"bigscience/bloom-560m","model_sha":"e985a63","model_pipeline_tag":"text-generation",
             "max_concurrent_requests":128,"max_best_of":2,"max_stop_sequences":4,"max_input_tokens":1024,
             "max_total_tokens":2048,"validation_workers":2,"max_client_batch_size":4,
             "router":"text-generation-router","version":"3.3.6-dev0","sha":null,"docker_label":null}
            """;

    private static LoadReport parse(String page) {
        return PrometheusLoadParser.parse(page, 5).orElseThrow();
    }

    private static String reason(Parsed<?> parsed) {
        return assertInstanceOf(Parsed.Rejected.class, parsed, () -> "accepted: " + parsed).reason();
    }

    @Test
    void tgisQueueAndBatchAreTheQueueDepthAndRunning() {
        assertEquals(LoadReport.empty(Source.POLL, 5).withQueueDepth(3).withRunning(12), parse(TGI_PAGE));
    }

    @Test
    void withTheCapacityFromInfoTgisLoadIsAFraction() {
        int capacity = PrometheusLoadParser.maxConcurrentRequests(TGI_INFO).orElseThrow();
        assertEquals(128, capacity);
        LoadReport report = parse(TGI_PAGE).withMaxConcurrent(capacity);
        assertEquals(15.0 / 128, report.utilization(), 1e-12);
    }

    @Test
    void vllmEnginesAreSummedAndTheirKvCacheAveraged() {
        String page = """
                # HELP vllm:num_requests_running Number of requests in model execution batches.
                # TYPE vllm:num_requests_running gauge
                vllm:num_requests_running{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 8.0
                vllm:num_requests_running{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 4.0
                # HELP vllm:num_requests_waiting Number of requests waiting to be processed.
                # TYPE vllm:num_requests_waiting gauge
                vllm:num_requests_waiting{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.0
                vllm:num_requests_waiting{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 2.0
                # HELP vllm:kv_cache_usage_perc KV-cache usage. 1 means 100 percent usage.
                # TYPE vllm:kv_cache_usage_perc gauge
                vllm:kv_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.5
                vllm:kv_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.3
                vllm:gpu_cache_usage_perc{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.9
                vllm:gpu_cache_usage_perc{engine="1",model_name="meta-llama/Llama-3.1-8B-Instruct"} 0.9
                vllm:prompt_tokens_total{engine="0",model_name="meta-llama/Llama-3.1-8B-Instruct"} 1.2e+06
                """;
        LoadReport report = parse(page);
        assertEquals(12, report.running());
        assertEquals(3, report.queueDepth());
        assertEquals(0.4, report.kvCacheUsage(), 1e-12, "the new name wins over the old one");
    }

    @Test
    void theOldKvCacheNameServesWhenTheNewOneIsMissing() {
        String page = "vllm:gpu_cache_usage_perc{model_name=\"m\"} 0.25\nvllm:num_requests_running{model_name=\"m\"} 2\n";
        assertEquals(0.25, parse(page).kvCacheUsage());
    }

    @Test
    void commentsEscapedLabelsTimestampsNanAndCrlfAreTakenInStride() {
        String page = "# HELP tgi_queue_size a \"quoted\" help { with braces }\r\n"
                + "# TYPE tgi_queue_size gauge\r\n"
                + "\r\n"
                + "tgi_queue_size{note=\"a 5\\\" screen} 9\",path=\"C:\\\\\",q=\"}\"} 2 1700000000000\r\n"
                + "tgi_queue_size_bucket{le=\"+Inf\"} 99\r\n"
                + "  tgi_queue_size {shard=\"1\"}\t4\r\n"
                + "tgi_batch_current_size NaN\r\n"
                + "tgi_batch_current_size{shard=\"1\"} 6\r\n"
                + "some_other_metric{oops=\"unterminated 12\r\n"
                + "weird line without structure\r\n"
                + "tgi_queue_size 1";
        LoadReport report = parse(page);
        assertEquals(7, report.queueDepth(), "2 + 4 + 1; the bucket is another metric");
        assertEquals(6, report.running(), "the NaN sample says nothing");
    }

    @Test
    void aPageWhoseGaugesAreAllNanKnowsNothing() {
        LoadReport report = parse("vllm:kv_cache_usage_perc NaN\nvllm:num_requests_waiting nan\n");
        assertTrue(report.isEmpty());
    }

    @Test
    void aPageWithoutLoadGaugesOrWithBadOnesIsRejected() {
        assertEquals("no TGI or vLLM load gauge on the page",
                reason(PrometheusLoadParser.parse("# TYPE tgi_request_count counter\ntgi_request_count 4\n", 0)));
        assertEquals("no TGI or vLLM load gauge on the page", reason(PrometheusLoadParser.parse("", 0)));
        assertEquals("tgi_queue_size is negative: -1.0", reason(PrometheusLoadParser.parse("tgi_queue_size -1\n", 0)));
        assertEquals("vllm:num_requests_waiting is infinite",
                reason(PrometheusLoadParser.parse("vllm:num_requests_waiting{engine=\"0\"} +Inf\n", 0)));
        assertEquals("vllm:num_requests_running has unterminated labels",
                reason(PrometheusLoadParser.parse("vllm:num_requests_running{engine=\"0} 3\n", 0)));
        assertEquals("tgi_batch_current_size has no value", reason(PrometheusLoadParser.parse("tgi_batch_current_size\n", 0)));
        assertEquals("tgi_batch_current_size has no value",
                reason(PrometheusLoadParser.parse("tgi_batch_current_size{a=\"b\"}\n", 0)));
        assertEquals("tgi_queue_size is not followed by a value",
                reason(PrometheusLoadParser.parse("tgi_queue_size=3\n", 0)));
        assertEquals("tgi_queue_size is not a number: 'three'", reason(PrometheusLoadParser.parse("tgi_queue_size three\n", 0)));
    }

    @Test
    void maxConcurrentRequestsMustBeAPositiveInteger() {
        assertEquals("/info has no max_concurrent_requests", reason(PrometheusLoadParser.maxConcurrentRequests("{\"model_id\":\"m\"}")));
        assertEquals("/info has no max_concurrent_requests", reason(PrometheusLoadParser.maxConcurrentRequests("[128]")));
        assertEquals("max_concurrent_requests is not a positive integer: '\"128\"'",
                reason(PrometheusLoadParser.maxConcurrentRequests("{\"max_concurrent_requests\":\"128\"}")));
        assertEquals("max_concurrent_requests is not a positive integer: '0'",
                reason(PrometheusLoadParser.maxConcurrentRequests("{\"max_concurrent_requests\":0}")));
        assertEquals("max_concurrent_requests is not a positive integer: '1.5'",
                reason(PrometheusLoadParser.maxConcurrentRequests("{\"max_concurrent_requests\":1.5}")));
        assertEquals("max_concurrent_requests is not a positive integer: '99999999999'",
                reason(PrometheusLoadParser.maxConcurrentRequests("{\"max_concurrent_requests\":99999999999}")));
        assertTrue(reason(PrometheusLoadParser.maxConcurrentRequests("<html>")).startsWith("/info is not JSON: "));
    }
}
