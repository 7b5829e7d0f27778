package io.infergate.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.ColdStartMode;
import io.infergate.sim.UpstreamSim;
import io.infergate.testing.Await;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Asynchronous jobs: submit with Prefer: respond-async, collect by polling, long-polling or a signed webhook. */
class JobsIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] WEBHOOK_KEY = "a webhook key of thirty-two byte".getBytes(StandardCharsets.UTF_8);
    private static final String WEBHOOK_SECRET = "whsec_" + Base64.getEncoder().encodeToString(WEBHOOK_KEY);
    private static final String ALICE = "alice-key-00000001";
    private static final String BOB = "bob-key-0000000001";

    @AutoClose
    private UpstreamSim sim;
    @AutoClose
    private TestGateway gateway;
    @StartStop
    private final MockWebServer receiver = new MockWebServer();

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private void gateway(String upstreamUrl, String jobsYaml, String coldStart) throws Exception {
        gateway = TestGateway.start("""
                tenants:
                  - { name: alice, keySha256: "%s" }
                  - { name: bob, keySha256: "%s" }
                jobs: { webhookSecretEnv: JOBS_WEBHOOK_SECRET, callbackAllow: [ "http://127.0.0.1:%d/hooks/" ], %s }
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                    upstreams:
                      - name: model
                        endpoints: [ "%s" ]
                        coldStart: %s
                """.formatted(sha256(ALICE), sha256(BOB), receiver.getPort(), jobsYaml, upstreamUrl, coldStart),
                Map.of("JOBS_WEBHOOK_SECRET", WEBHOOK_SECRET));
    }

    private HttpRequest.Builder generate(String key, String prompt, boolean async) {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri("/generate"))
                .POST(HttpRequest.BodyPublishers.ofString(body(prompt)))
                .header("Content-Type", "application/json").header("X-API-Key", key);
        return async ? request.header("Prefer", "respond-async") : request;
    }

    private static String body(String prompt) {
        return "{\"inputs\":\"" + prompt + "\",\"parameters\":{\"max_new_tokens\":6}}";
    }

    private HttpResponse<String> get(String key, String path) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri(path)).header("X-API-Key", key).GET().build());
    }

    private JsonNode submit(HttpRequest request) throws Exception {
        HttpResponse<String> accepted = TestGateway.send(request);
        assertEquals(202, accepted.statusCode(), accepted.body());
        assertEquals("respond-async", accepted.headers().firstValue("preference-applied").orElseThrow());
        JsonNode job = JSON.readTree(accepted.body());
        assertEquals("/v1/jobs/" + job.get("id").asText(), accepted.headers().firstValue("location").orElseThrow());
        return job;
    }

    private JsonNode awaitFinished(String key, String id) throws Exception {
        HttpResponse<String> polled = get(key, "/v1/jobs/" + id + "?wait=30s");
        assertEquals(200, polled.statusCode(), polled.body());
        return JSON.readTree(polled.body());
    }

    @Test
    void fiftyJobsAtOnceAgainstASlowModelAllSucceedWithTheSynchronousAnswers() throws Exception {
        sim = UpstreamSim.builder().maxBatch(8).maxQueue(0).tokensPerSecond(12).batchSlowdown(1).start();
        gateway(sim.url(), "maxShare: 0.5", "{}");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            JsonNode job = submit(generate(ALICE, "job " + i, true).build());
            assertTrue(job.get("id").asText().matches("job_[A-Za-z0-9_-]{22,}"), job.toString());
            assertEquals("queued", job.get("status").asText());
            ids.add(job.get("id").asText());
        }
        List<String> results = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            JsonNode done = awaitFinished(ALICE, ids.get(i));
            assertEquals("succeeded", done.get("status").asText(), done.toString());
            assertEquals("model", done.get("upstream").asText());
            HttpResponse<String> result = get(ALICE, "/v1/jobs/" + ids.get(i) + "/result");
            assertEquals(200, result.statusCode());
            results.add(result.body());
        }
        assertEquals(0, sim.stats().overloaded());
        assertTrue(sim.stats().maxConcurrent() <= 4, "jobs used at most half of the 8 slots: " + sim.stats().maxConcurrent());
        // A long poll answers when the store has the result, a moment before the job counts itself;
        // the queued gauge follows the store's counts, read twice a second.
        Await.untilHolds("every job counted, none left queued", Duration.ofSeconds(5), () -> {
            String page = gateway.admin("/metrics").body();
            return page.contains("gateway_jobs_total{status=\"succeeded\"} 50.0")
                    && page.contains("gateway_jobs_queued 0.0");
        });
        String metrics = gateway.admin("/metrics").body();
        assertTrue(metrics.contains("gateway_jobs_total{status=\"submitted\"} 50.0"), metrics);
        assertTrue(metrics.contains("gateway_job_duration_seconds_count 50"), metrics);
        assertTrue(metrics.contains("gateway_jobs_queued 0.0"), metrics);
        for (int i = 0; i < 50; i += 7) {
            assertEquals(TestGateway.send(generate(ALICE, "job " + i, false).build()).body(), results.get(i),
                    "the same answer as the synchronous request");
        }
    }

    @Test
    void aLongPollReturnsWhenTheJobFinishesAndAResultIsRefusedWhileItRuns() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(4).batchSlowdown(1).start();
        gateway(sim.url(), "maxShare: 1", "{}");
        String id = submit(generate(ALICE, "slow", true).build()).get("id").asText();
        Await.until("the job runs", Duration.ofSeconds(5), () -> sim.stats().inFlight() == 1);
        assertEquals(409, get(ALICE, "/v1/jobs/" + id + "/result").statusCode());
        long start = System.nanoTime();
        JsonNode done = awaitFinished(ALICE, id);
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals("succeeded", done.get("status").asText());
        assertTrue(millis < 5_000, "answered when the job ended (" + millis + " ms), not at the end of the wait");
        assertEquals(404, get(BOB, "/v1/jobs/" + id).statusCode(), "another tenant's job is not there");
        assertEquals(404, get(BOB, "/v1/jobs/" + id + "/result").statusCode());
        JsonNode list = JSON.readTree(get(ALICE, "/v1/jobs?status=succeeded").body());
        assertEquals(id, list.get("jobs").get(0).get("id").asText());
        assertEquals(0, JSON.readTree(get(BOB, "/v1/jobs").body()).get("jobs").size());
    }

    @Test
    void aStreamingJobsResultIsTheWholeTranscript() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(50).start();
        gateway(sim.url(), "maxShare: 1", "{}");
        String id = submit(HttpRequest.newBuilder(gateway.uri("/generate_stream"))
                .POST(HttpRequest.BodyPublishers.ofString(body("stream me"))).header("Content-Type", "application/json")
                .header("X-API-Key", ALICE).header("Prefer", "respond-async").build()).get("id").asText();
        assertEquals("succeeded", awaitFinished(ALICE, id).get("status").asText());
        HttpResponse<String> result = get(ALICE, "/v1/jobs/" + id + "/result");
        assertTrue(result.headers().firstValue("content-type").orElseThrow().startsWith("text/event-stream"));
        assertEquals(6, result.body().split("\n\n").length, "six token events: " + result.body());
        assertTrue(result.body().contains("\"generated_text\":\""), result.body());
    }

    @Test
    void aSignedWebhookIsRetriedUntilDeliveredAndACallbackOutsideTheAllowListIsRefused() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(50).start();
        gateway(sim.url(), "maxShare: 1, webhookBackoff: 100ms", "{}");
        receiver.enqueue(new MockResponse.Builder().code(500).build());
        receiver.enqueue(new MockResponse.Builder().code(204).build());

        HttpResponse<String> refused = TestGateway.send(generate(ALICE, "hook", true)
                .header("X-Callback-Url", "http://127.0.0.1:" + receiver.getPort() + "/elsewhere").build());
        assertEquals(400, refused.statusCode(), refused.body());

        String id = submit(generate(ALICE, "hook", true)
                .header("X-Callback-Url", "http://127.0.0.1:" + receiver.getPort() + "/hooks/done").build()).get("id").asText();
        RecordedRequest first = receiver.takeRequest(10, TimeUnit.SECONDS);
        RecordedRequest second = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertEquals("/hooks/done", second.getTarget());
        for (RecordedRequest delivery : List.of(first, second)) {
            String msgId = delivery.getHeaders().get("webhook-id");
            String timestamp = delivery.getHeaders().get("webhook-timestamp");
            String payload = delivery.getBody().utf8();
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(WEBHOOK_KEY, "HmacSHA256"));
            String expected = "v1," + Base64.getEncoder().encodeToString(
                    mac.doFinal((msgId + "." + timestamp + "." + payload).getBytes(StandardCharsets.UTF_8)));
            assertEquals(expected, delivery.getHeaders().get("webhook-signature"));
            JsonNode document = JSON.readTree(payload);
            assertEquals(id, document.get("id").asText());
            assertEquals("succeeded", document.get("status").asText());
        }
        assertEquals(first.getHeaders().get("webhook-id"), second.getHeaders().get("webhook-id"), "one message, tried twice");
        Await.untilHolds("the delivery is recorded", Duration.ofSeconds(5), () ->
                JSON.readTree(get(ALICE, "/v1/jobs/" + id).body()).path("webhook").path("delivery").asText().equals("delivered"));
        assertEquals(2, JSON.readTree(get(ALICE, "/v1/jobs/" + id).body()).path("webhook").path("attempts").asInt());
    }

    @Test
    void cancellingARunningJobClosesItsUpstreamRequest() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(1).batchSlowdown(1).start();
        gateway(sim.url(), "maxShare: 1", "{}");
        String id = submit(generate(ALICE, "forever", true).build()).get("id").asText();
        Await.until("the job runs upstream", Duration.ofSeconds(5), () -> sim.stats().inFlight() == 1);
        HttpResponse<String> cancelled = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/v1/jobs/" + id))
                .header("X-API-Key", ALICE).DELETE().build());
        assertEquals(200, cancelled.statusCode());
        assertEquals("cancelled", JSON.readTree(cancelled.body()).get("status").asText());
        Await.until("the upstream request is closed", Duration.ofSeconds(5), () -> sim.stats().inFlight() == 0);
        assertEquals("cancelled", JSON.readTree(get(ALICE, "/v1/jobs/" + id).body()).get("status").asText());
    }

    @Test
    void aJobSubmittedWhileTheEndpointStartsSucceedsOnceItIsWarm() throws Exception {
        sim = UpstreamSim.builder().coldStart(Duration.ofSeconds(2), ColdStartMode.HF_PROXY).tokensPerSecond(50).start();
        gateway(sim.url(), "maxShare: 1", "{ scaleToZero: true, probeEvery: 500ms }");
        String id = submit(generate(ALICE, "cold", true).build()).get("id").asText();
        assertEquals("succeeded", awaitFinished(ALICE, id).get("status").asText());
    }

    @Test
    void aTenantWithTooManyJobsWaitingIsAnswered429() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(1).batchSlowdown(1).start();
        gateway(sim.url(), "maxShare: 0.1, maxQueuedPerTenant: 2", "{}");
        submit(generate(ALICE, "one", true).build());
        Await.until("the first job runs", Duration.ofSeconds(5), () -> sim.stats().inFlight() == 1);
        submit(generate(ALICE, "two", true).build());
        submit(generate(ALICE, "three", true).build());
        HttpResponse<String> full = TestGateway.send(generate(ALICE, "four", true).build());
        assertEquals(429, full.statusCode());
        assertEquals("queue_full", full.headers().firstValue("x-gateway-error").orElseThrow());
        assertTrue(Long.parseLong(full.headers().firstValue("retry-after").orElseThrow()) >= 1, "a 429 says when to come back");
        submit(generate(BOB, "another tenant", true).build());
    }
}
