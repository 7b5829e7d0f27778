package io.infergate.server.http;

import io.infergate.server.testing.ServerTimingParts;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.server.testing.StreamingClient;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.ColdStartMode;
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

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cold starts absorbed: requests wait for a loading model (one probe at a time) or go to a fallback. */
class ColdStartIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BODY = "{\"inputs\":\"hello\",\"parameters\":{\"max_new_tokens\":4}}";

    @AutoClose
    private UpstreamSim large;
    @AutoClose
    private UpstreamSim small;
    @AutoClose
    private TestGateway gateway;
    private final List<StreamingClient> streams = new ArrayList<>();
    @StartStop
    private final MockWebServer upstream = new MockWebServer();

    @AutoClose
    private final AutoCloseable closeStreams = () -> {
        for (StreamingClient stream : streams) {
            stream.close();
        }
    };

    private static UpstreamSim.Builder sim() {
        return UpstreamSim.builder().maxBatch(32).tokensPerSecond(200);
    }

    private void gatewayOver(UpstreamSim primary, String coldStartYaml, String routeYaml, UpstreamSim fallback) {
        String fallbackYaml = fallback == null ? "" : """
                      - name: small
                        endpoints: [ "%s" ]
                """.formatted(fallback.url());
        gateway = TestGateway.start("""
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                %s
                    upstreams:
                      - name: large
                        endpoints: [ "%s" ]
                        coldStart: %s
                %s""".formatted(TestGateway.indent(routeYaml, "    "), primary.url(), coldStartYaml, fallbackYaml));
    }


    private HttpResponse<String> post(String path, String body) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build());
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String path) {
        return TestGateway.client().sendAsync(HttpRequest.newBuilder(gateway.uri(path))
                        .POST(HttpRequest.BodyPublishers.ofString(BODY)).header("Content-Type", "application/json").build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private JsonNode endpoint(String url) throws Exception {
        for (JsonNode node : JSON.readTree(gateway.admin("/admin/upstreams").body()).path("endpoints")) {
            if (node.path("url").asText().equals(url)) {
                return node;
            }
        }
        throw new AssertionError(url + " not on /admin/upstreams");
    }

    @Test
    void twentyClientsHalfStreamingWaitThroughAFourSecondColdStartWhileOneProbeAtATimeReachesTheEndpoint() throws Exception {
        large = sim().coldStart(Duration.ofSeconds(4), ColdStartMode.HF_PROXY).start();
        gatewayOver(large, "{ scaleToZero: true, probeEvery: 1s, maxHold: 30s }",
                "heartbeat: { interval: 500ms, earlyHeaders: true }\ntimeouts: { total: 30s }", null);
        long start = System.nanoTime();

        CompletableFuture<HttpResponse<String>> discoverer = postAsync("/generate");
        Await.untilHolds("the gateway knows the endpoint is warming", Duration.ofSeconds(5),
                () -> endpoint(large.url()).path("warming").path("warming").asBoolean());
        List<CompletableFuture<HttpResponse<String>>> plain = new ArrayList<>(List.of(discoverer));
        for (int i = 0; i < 9; i++) {
            plain.add(postAsync("/generate"));
        }
        for (int i = 0; i < 10; i++) {
            streams.add(StreamingClient.send(gateway.port(), StreamingClient.post("/generate_stream", BODY)));
        }

        for (CompletableFuture<HttpResponse<String>> response : plain) {
            HttpResponse<String> answered = response.get(20, TimeUnit.SECONDS);
            assertEquals(200, answered.statusCode(), answered.body());
            assertTrue(answered.body().contains("generated_text"), answered.body());
        }
        for (StreamingClient stream : streams) {
            String events = stream.awaitHead().awaitEnd();
            assertEquals(200, stream.status());
            assertTrue(events.startsWith(": keep-alive\n\n"), "heartbeats while the model loads: " + events);
            assertTrue(events.contains("\"generated_text\":\""), events);
        }
        long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - start);
        long refused = large.stats().refusedWhileLoading();
        assertTrue(refused >= 2 && refused <= 2 + seconds, refused + " requests reached the loading endpoint in "
                + seconds + " s: the first, then at most one probe a second");
        assertEquals(20, large.stats().completed());
        JsonNode state = endpoint(large.url());
        assertEquals("closed", state.path("breaker").path("state").asText(), "warming is not breakage");
        assertEquals(false, state.path("warming").path("warming").asBoolean());
        assertEquals(1, state.path("warming").path("coldStarts").asInt());
    }

    @Test
    void aColdStartLongerThanTheRequestCanWaitGoesToTheFallbackAtOnce() throws Exception {
        large = sim().coldStart(Duration.ofSeconds(60), ColdStartMode.SERVERLESS).start();
        small = sim().modelId("small").start();
        gatewayOver(large, "{ probeEvery: 1s }", "timeouts: { total: 10s }", small);

        long start = System.nanoTime();
        HttpResponse<String> first = post("/generate", BODY);
        assertEquals(200, first.statusCode());
        assertEquals("small", first.headers().firstValue("x-gateway-fallback").orElseThrow());
        assertTrue(Duration.ofNanos(System.nanoTime() - start).toMillis() < 3000, "went elsewhere at once");
        HttpResponse<String> second = post("/generate", BODY);
        assertEquals("small", second.headers().firstValue("x-gateway-fallback").orElseThrow());
        assertEquals(1, large.stats().refusedWhileLoading(), "the estimate keeps later requests off the loading endpoint");
        JsonNode warming = endpoint(large.url()).path("warming");
        assertTrue(warming.path("warming").asBoolean());
        assertTrue(warming.path("etaSeconds").asDouble() > 50, warming.toString());
    }

    @Test
    void aSelfHostedEndpointThatDoesNotListenWhileLoadingIsWaitedFor() throws Exception {
        large = sim().coldStart(Duration.ofSeconds(2), ColdStartMode.REFUSE).start();
        gatewayOver(large, "{ scaleToZero: true, probeEvery: 500ms }", "timeouts: { total: 20s }", null);
        HttpResponse<String> response = post("/generate", BODY);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(1, large.stats().completed());
        String timing = response.headers().firstValue("server-timing").orElseThrow();
        assertTrue(ServerTimingParts.of(timing).getOrDefault("warm", 0.0) >= 1000, "the hold is told as warm: " + timing);
        assertTrue(Math.abs(ServerTimingParts.unexplainedMillis(timing)) < 25,
                "the parts add up to the total, but for the gateway's own time: " + timing);
    }

    @Test
    void withNoFallbackAHoldPastMaxHoldIsAnswered503ModelLoadingWithRetryAfter() throws Exception {
        large = sim().coldStart(Duration.ofSeconds(60), ColdStartMode.HF_PROXY).start();
        gatewayOver(large, "{ scaleToZero: true, probeEvery: 500ms, maxHold: 1s }", "timeouts: { total: 20s }", null);
        long start = System.nanoTime();
        HttpResponse<String> response = post("/generate", BODY);
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals(503, response.statusCode());
        assertEquals("model_loading", response.headers().firstValue("x-gateway-error").orElseThrow());
        assertTrue(Long.parseLong(response.headers().firstValue("retry-after").orElseThrow()) >= 1);
        assertTrue(millis >= 1000 && millis < 5000, "held for maxHold, answered after " + millis + " ms");
        assertTrue(large.stats().refusedWhileLoading() <= 4, "probes every 500 ms at most");
        String timing = response.headers().firstValue("server-timing").orElseThrow();
        assertTrue(Math.abs(ServerTimingParts.unexplainedMillis(timing)) < 25,
                "the parts add up to the total, but for the gateway's own time: " + timing);
    }

    @Test
    void withScaleUpTimeoutTheEndpointsOwnProxyHoldsTheRequest() throws Exception {
        large = sim().coldStart(Duration.ofSeconds(2), ColdStartMode.HF_PROXY).start();
        gatewayOver(large, "{ scaleToZero: true, scaleUpTimeoutHeader: true, maxHold: 15s }", "timeouts: { total: 20s }", null);
        HttpResponse<String> response = post("/generate", BODY);
        assertEquals(200, response.statusCode(), response.body());
        assertEquals(0, large.stats().refusedWhileLoading(), "held by the endpoint, not refused");
    }

    @Test
    void keepWarmRequestsReachEveryEndpointOnTheirSchedule() throws Exception {
        for (int i = 0; i < 3; i++) {
            upstream.enqueue(new MockResponse.Builder().body("ok").build());
        }
        gateway = TestGateway.start("""
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                    upstreams:
                      - name: large
                        endpoints: [ "http://127.0.0.1:%d/base" ]
                        coldStart: { keepWarm: { every: 300ms, path: /health } }
                """.formatted(upstream.getPort()));
        for (int i = 0; i < 3; i++) {
            var request = upstream.takeRequest(5, TimeUnit.SECONDS);
            assertEquals("GET", request.getMethod());
            assertEquals("/base/health", request.getTarget());
        }
    }
}
