package io.infergate.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.UpstreamSim;
import io.infergate.testing.Await;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Learned concurrency limits through the whole gateway: the endpoint's signals move them, and the admin page and gauge show them. */
class CapacityIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BODY = "{\"inputs\":\"capacity\",\"parameters\":{\"max_new_tokens\":5}}";
    private static final Duration WAIT = Duration.ofSeconds(20);

    @AutoClose
    private UpstreamSim sim;
    @AutoClose
    private TestGateway gateway;
    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    private final AtomicBoolean stop = new AtomicBoolean();

    /** {@code clients} clients sending back to back until {@link #stop} is set; each future ends with its client. */
    private List<CompletableFuture<Void>> clients(int clients) {
        List<CompletableFuture<Void>> all = new ArrayList<>();
        for (int i = 0; i < clients; i++) {
            all.add(loop());
        }
        return all;
    }

    private CompletableFuture<Void> loop() {
        if (stop.get()) {
            return CompletableFuture.completedFuture(null);
        }
        return TestGateway.client().sendAsync(HttpRequest.newBuilder(gateway.uri("/generate"))
                        .POST(HttpRequest.BodyPublishers.ofString(BODY)).header("Content-Type", "application/json")
                        .header("X-Request-Timeout", "10").build(), HttpResponse.BodyHandlers.discarding())
                .thenCompose(response -> loop());
    }

    private void stopClients(List<CompletableFuture<Void>> clients) throws Exception {
        stop.set(true);
        CompletableFuture.allOf(clients.toArray(CompletableFuture[]::new)).get(20, TimeUnit.SECONDS);
    }

    /** The route's limit for the only endpoint, as {@code /admin/upstreams} shows it. */
    private JsonNode limit() throws Exception {
        JsonNode limits = JSON.readTree(gateway.admin("/admin/upstreams").body()).path("endpoints").path(0).path("concurrencyLimits");
        assertEquals(1, limits.size(), limits.toString());
        return limits.path(0);
    }

    @Test
    void aBatchLimitedEndpointThatQueuesInsideItselfIsCutToItsBatch() throws Exception {
        // A batch of 2 with a deep queue of its own, behind the default admission: the limit starts at 8.
        sim = UpstreamSim.builder().maxBatch(2).maxQueue(1_000).tokensPerSecond(50).batchSlowdown(1).start();
        gateway = TestGateway.oneRoute(sim.url(), "");
        assertEquals(8, limit().path("limit").asInt());
        assertEquals("start", limit().path("setBy").asText());
        assertEquals(1, limit().path("proven").asInt(), "nothing run yet: proven up to the lower bound only");
        assertTrue(limit().path("learned").asBoolean());

        List<CompletableFuture<Void>> clients = clients(12);
        Await.untilHolds("the limit cut to about the batch because the endpoint queued", WAIT,
                () -> limit().path("limit").asInt() <= 3);
        stopClients(clients);
        assertTrue(List.of("queueing", "growth", "latency").contains(limit().path("setBy").asText()), limit().toString());

        String metrics = gateway.admin("/metrics").body();
        assertTrue(metrics.matches("(?s).*gateway_endpoint_concurrency_limit\\{endpoint=\"" + sim.url()
                + "\",route=\"main\",upstream=\"primary\"} [123]\\.0\\n.*"), metrics);
    }

    @Test
    void aRouteThatSetsItsLimitKeepsItWhateverTheEndpointSays() throws Exception {
        sim = UpstreamSim.builder().maxBatch(1).maxQueue(1_000).tokensPerSecond(50).batchSlowdown(1).start();
        gateway = TestGateway.oneRoute(sim.url(), "admission: { maxInFlightPerEndpoint: 3 }");

        List<CompletableFuture<Void>> clients = clients(6);
        Await.until("the endpoint queues", WAIT, () -> sim.stats().queued() > 0 && sim.stats().completed() > 20);
        stopClients(clients);

        JsonNode limit = limit();
        assertEquals(3, limit.path("limit").asInt());
        assertEquals(3, limit.path("proven").asInt(), "a fixed limit is proven by the operator's word");
        assertFalse(limit.path("learned").asBoolean());
        assertEquals("fixed", limit.path("setBy").asText());
        assertTrue(sim.stats().maxConcurrent() <= 3, "in flight peaked at " + sim.stats().maxConcurrent());
    }

    @Test
    void anOverloadAnswerHalvesTheLimit() throws Exception {
        upstream.enqueue(new MockResponse.Builder().code(429).setHeader("Content-Type", "application/json")
                .body("{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}").build());
        gateway = TestGateway.oneRoute(upstream.url("/").toString(), "retry: { attempts: 1 }");

        HttpResponse<String> answer = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                .POST(HttpRequest.BodyPublishers.ofString(BODY)).header("Content-Type", "application/json").build());

        assertEquals(429, answer.statusCode());
        Await.untilHolds("the limit halved", WAIT, () -> limit().path("limit").asInt() == 4);
        assertEquals("overload", limit().path("setBy").asText());
    }
}
