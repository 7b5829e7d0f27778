package io.infergate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.infergate.testing.Await;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.CompletableFuture;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadIT {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String LONG = "{\"inputs\":\"long %d\",\"parameters\":{\"max_new_tokens\":8}}";

    @Test
    void pastTheBatchAndTheQueueRequestsAreRefusedAsOverloaded() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().maxBatch(2).maxQueue(1).tokensPerSecond(40).start()) {
            SimClient client = new SimClient(sim);
            List<CompletableFuture<HttpResponse<String>>> accepted = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                accepted.add(client.postAsync("/generate", LONG.formatted(i)));
                int expected = i + 1;
                Await.until(expected + " in flight", WAIT, () -> sim.stats().inFlight() == expected);
            }
            assertEquals(2, sim.stats().running());
            assertEquals(1, sim.stats().queued());
            String metrics = client.get("/metrics").body();
            assertTrue(metrics.contains("\ntgi_queue_size 1\n"), metrics);
            assertTrue(metrics.contains("\ntgi_batch_current_size 2\n"), metrics);

            HttpResponse<String> refused = client.post("/generate", LONG.formatted(9));
            assertEquals(429, refused.statusCode());
            assertEquals("{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}", refused.body());

            SimClient.Streamed stream = client.stream("/generate_stream", LONG.formatted(10));
            assertEquals(200, stream.status());
            assertEquals(List.of("{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}"), stream.events());

            SimClient.Streamed chat = client.stream("/v1/chat/completions",
                    "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"stream\":true}");
            assertEquals(List.of("{\"error\":{\"message\":\"Model is overloaded\",\"http_status_code\":422}}", "[DONE]"),
                    chat.events());

            List<Long> queueTimes = new ArrayList<>();
            for (CompletableFuture<HttpResponse<String>> future : accepted) {
                HttpResponse<String> response = future.join();
                assertEquals(200, response.statusCode());
                queueTimes.add(Long.parseLong(response.headers().firstValue("x-queue-time").orElseThrow()));
            }
            // The third waited for a whole generation (8 tokens at 40/s or slower).
            assertTrue(queueTimes.get(2) > queueTimes.get(0) + 100, "queue times " + queueTimes);

            SimStats stats = sim.stats();
            assertEquals(3, stats.overloaded());
            assertEquals(6, stats.requestsReceived());
            assertEquals(2, stats.maxConcurrent());
            Await.until("idle", WAIT, () -> sim.stats().inFlight() == 0);
            metrics = client.get("/metrics").body();
            assertTrue(metrics.contains("\ntgi_request_failure{err=\"overloaded\"} 3\n"), metrics);
            assertTrue(metrics.contains("\ntgi_request_count 6\n"), metrics);
            assertTrue(metrics.contains("\ntgi_request_success 3\n"), metrics);
            assertTrue(metrics.contains("\ntgi_request_duration_count 3\n"), metrics);
            assertTrue(metrics.contains("tgi_request_duration_bucket{le=\"0.00015\"} 0\n"), metrics);
        }
    }

    @Test
    void concurrencyNeverExceedsTheBatchSize() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().maxBatch(3).maxQueue(100).tokensPerSecond(200).start()) {
            SimClient client = new SimClient(sim);
            List<CompletableFuture<HttpResponse<String>>> all = new ArrayList<>();
            for (int i = 0; i < 20; i++) {
                all.add(client.postAsync("/generate", "{\"inputs\":\"c" + i + "\",\"parameters\":{\"max_new_tokens\":5}}"));
            }
            all.forEach(f -> assertEquals(200, f.join().statusCode()));
            assertEquals(3, sim.stats().maxConcurrent());
            assertEquals(20, sim.stats().completed());
        }
    }

    @Test
    void aClientThatDisconnectsFreesItsSlot() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().maxBatch(1).maxQueue(0).tokensPerSecond(20).start()) {
            try (RawClient raw = new RawClient(sim.port(), 5000)) {
                raw.post("/generate_stream", "{\"inputs\":\"x\",\"parameters\":{\"max_new_tokens\":100}}");
                assertEquals("HTTP/1.1 200 OK", raw.statusLine());
                Await.until("running", WAIT, () -> sim.stats().running() == 1);
                assertEquals(429, new SimClient(sim).post("/generate", "{\"inputs\":\"y\"}").statusCode());
            }
            Await.until("the slot is free", WAIT, () -> sim.stats().running() == 0 && sim.stats().inFlight() == 0);
            HttpResponse<String> response = new SimClient(sim).post("/generate",
                    "{\"inputs\":\"y\",\"parameters\":{\"max_new_tokens\":2}}");
            assertEquals(200, response.statusCode());
        }
    }

    @Test
    void loadHeadersReportGpuUtilizationFromBatchOccupancy() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().maxBatch(4).tokensPerSecond(100)
                .loadHeaders(EnumSet.of(LoadHeader.ORCA, LoadHeader.GPU)).start()) {
            SimClient client = new SimClient(sim);
            var first = client.postAsync("/generate", "{\"inputs\":\"a\",\"parameters\":{\"max_new_tokens\":40}}");
            var second = client.postAsync("/generate", "{\"inputs\":\"b\",\"parameters\":{\"max_new_tokens\":40}}");
            Await.until("two running", WAIT, () -> sim.stats().running() == 2);
            HttpResponse<String> response = client.post("/generate", "{\"inputs\":\"c\",\"parameters\":{\"max_new_tokens\":1}}");
            // Two long sequences plus this one, in a batch of four.
            assertEquals("0.75", response.headers().firstValue("x-gpu-utilization").orElseThrow());
            assertEquals("0", response.headers().firstValue("x-queue-depth").orElseThrow());
            String orca = response.headers().firstValue("endpoint-load-metrics").orElseThrow();
            assertTrue(orca.matches("TEXT named_metrics\\.gpu_utilization=0\\.75, named_metrics\\.kv_cache_usage_perc=0\\.\\d+, "
                    + "named_metrics\\.num_requests_waiting=0\\.0, named_metrics\\.num_requests_running=3\\.0"), orca);
            SimClient.Streamed stream = client.stream("/generate_stream", "{\"inputs\":\"d\",\"parameters\":{\"max_new_tokens\":1}}");
            assertTrue(stream.header("endpoint-load-metrics").startsWith("TEXT named_metrics.gpu_utilization="));
            assertTrue(stream.header("x-gpu-utilization") != null);
            first.join();
            second.join();
        }
    }

    @Test
    void vllmFlavorExposesVllmGaugesAndAnswersTheOrcaOptIn() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().modelId("org/m").flavor(Flavor.VLLM).tokensPerSecond(0).start()) {
            SimClient client = new SimClient(sim);
            String metrics = client.get("/metrics").body();
            assertTrue(metrics.contains("\nvllm:num_requests_running{model_name=\"org/m\"} 0.0\n"), metrics);
            assertTrue(metrics.contains("\nvllm:num_requests_waiting{model_name=\"org/m\"} 0.0\n"), metrics);
            assertTrue(metrics.contains("\nvllm:kv_cache_usage_perc{model_name=\"org/m\"} 0.0\n"), metrics);
            assertTrue(!metrics.contains("tgi_"), metrics);

            String chat = "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":2%s}";
            HttpResponse<String> text = client.post("/v1/chat/completions", chat.formatted(""),
                    "endpoint-load-metrics-format", "text");
            String header = text.headers().firstValue("endpoint-load-metrics").orElseThrow();
            assertTrue(header.startsWith("TEXT ") && header.contains("named_metrics.kv_cache_usage_perc="), header);
            HttpResponse<String> json = client.post("/v1/chat/completions", chat.formatted(""),
                    "endpoint-load-metrics-format", "json");
            header = json.headers().firstValue("endpoint-load-metrics").orElseThrow();
            assertTrue(header.startsWith("JSON "), header);
            JsonNode named = SimClient.json(header.substring(5)).get("named_metrics");
            assertTrue(named.has("kv_cache_usage_perc") && named.has("num_requests_waiting"), header);

            assertTrue(client.post("/v1/chat/completions", chat.formatted("")).headers()
                    .firstValue("endpoint-load-metrics").isEmpty());
            assertNull(client.stream("/v1/chat/completions", chat.formatted(",\"stream\":true"),
                    "endpoint-load-metrics-format", "text").header("endpoint-load-metrics"));
        }
        try (UpstreamSim tgi = UpstreamSim.builder().tokensPerSecond(0).start()) {
            assertTrue(new SimClient(tgi).post("/generate", "{\"inputs\":\"x\"}", "endpoint-load-metrics-format", "text")
                    .headers().firstValue("endpoint-load-metrics").isEmpty());
        }
    }
}
