package io.infergate.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.server.testing.RedisServer;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.UpstreamSim;
import io.infergate.testing.Await;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two gateways on one real Redis, through the jobs API: a long poll on one ends when the other has
 * run the job; a webhook retried is delivered by one of them at a time with the same
 * {@code webhook-id}; a job cancelled on one while the other runs it stays cancelled, and its
 * upstream request is closed.
 */
class JobsAcrossGatewaysIT {

    private static final String KEY = "tenant-key-00000001";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] WEBHOOK_KEY = "a webhook key of thirty-two byte".getBytes(StandardCharsets.UTF_8);
    private static final Map<String, String> ENV = Map.of(
            "JOBS_WEBHOOK_SECRET", "whsec_" + Base64.getEncoder().encodeToString(WEBHOOK_KEY),
            "JOBS_ID_KEY", "an id key shared by both gateways, 32+");

    @TempDir
    Path dir;
    private RedisServer redis;
    private UpstreamSim sim;
    private final MockWebServer receiver = new MockWebServer();
    private TestGateway a;
    private TestGateway b;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(RedisServer.installed(), "redis-server is installed (.ci/run installs it)");
        redis = RedisServer.start(dir);
        receiver.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable closing : new AutoCloseable[] {a, b, sim}) {
            if (closing != null) {
                closing.close();
            }
        }
        receiver.close();
        if (redis != null) {
            redis.close();
        }
    }

    /** @param runs whether this gateway runs jobs, or only takes them and answers for them */
    private TestGateway gateway(boolean runs) throws Exception {
        return TestGateway.start("""
                store:
                  redis: { url: "%s", keyPrefix: "across:" }
                jobs:
                  webhookSecretEnv: JOBS_WEBHOOK_SECRET
                  idKeyEnv: JOBS_ID_KEY
                  callbackAllow: [ "http://127.0.0.1:%d/hooks/" ]
                  webhookBackoff: 100ms
                  lease: 3s
                  maxShare: 1
                tenants:
                  - { name: acme, keySha256: "%s" }
                routes:
                  - name: %s
                    match: { pathPrefix: / }
                    upstreams: [ { name: model, endpoints: [ "%s" ] } ]
                """.formatted(redis.url(), receiver.getPort(), sha256(KEY), runs ? "chat" : "elsewhere", sim.url()),
                ENV);
    }

    @Test
    void aLongPollOnOneGatewayEndsWhenTheOtherRanTheJobAndItsWebhookComesOnceAtATimeWithOneId() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(10).start();
        a = gateway(true);
        b = gateway(false); // its route has another name: only a runs jobs of "chat"
        receiver.enqueue(new MockResponse.Builder().code(500).build());
        receiver.enqueue(new MockResponse.Builder().code(204).build());
        String id = submit(a, "http://127.0.0.1:" + receiver.getPort() + "/hooks/done");

        CompletableFuture<HttpResponse<String>> poll = TestGateway.client().sendAsync(HttpRequest.newBuilder(
                b.uri("/v1/jobs/" + id + "?wait=30s")).header("X-API-Key", KEY).build(),
                HttpResponse.BodyHandlers.ofString());
        JsonNode done = JSON.readTree(poll.get(30, TimeUnit.SECONDS).body());
        assertEquals("succeeded", done.get("status").asText(), done.toString());
        assertEquals(200, get(b, "/v1/jobs/" + id + "/result").statusCode());

        RecordedRequest first = receiver.takeRequest(10, TimeUnit.SECONDS);
        RecordedRequest second = receiver.takeRequest(10, TimeUnit.SECONDS);
        assertEquals(id, first.getHeaders().get("webhook-id"));
        assertEquals(id, second.getHeaders().get("webhook-id"), "a redelivery carries the same id");
        Await.untilHolds("the delivery is recorded", Duration.ofSeconds(5), () -> JSON.readTree(
                get(b, "/v1/jobs/" + id).body()).path("webhook").path("delivery").asText().equals("delivered"));
        assertNull(receiver.takeRequest(2, TimeUnit.SECONDS), "delivered once, by one of the two");
    }

    @Test
    void aJobCancelledOnOneGatewayWhileTheOtherRunsItStaysCancelled() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(1).batchSlowdown(1).start();
        a = gateway(true);
        b = gateway(false);
        String id = submit(a, null);
        Await.until("a runs the job upstream", Duration.ofSeconds(10), () -> sim.stats().inFlight() == 1);

        HttpResponse<String> cancelled = TestGateway.send(HttpRequest.newBuilder(b.uri("/v1/jobs/" + id))
                .header("X-API-Key", KEY).DELETE().build());
        assertEquals(200, cancelled.statusCode(), cancelled.body());
        assertEquals("cancelled", JSON.readTree(cancelled.body()).get("status").asText());
        Await.until("a learns it at its next renewal and closes the upstream request", Duration.ofSeconds(10),
                () -> sim.stats().inFlight() == 0);
        // a's run ended without an answer once closed; nothing of it overwrites the cancellation.
        assertEquals("cancelled", JSON.readTree(get(a, "/v1/jobs/" + id).body()).get("status").asText());
        assertEquals("cancelled", JSON.readTree(get(b, "/v1/jobs/" + id).body()).get("status").asText());
        assertFalse(get(b, "/v1/jobs/" + id + "/result").statusCode() == 200);
    }

    private static String submit(TestGateway gateway, String callback) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri("/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":8}}"))
                .header("Content-Type", "application/json").header("X-API-Key", KEY).header("Prefer", "respond-async");
        if (callback != null) {
            request.header("X-Callback-Url", callback);
        }
        HttpResponse<String> accepted = TestGateway.send(request.build());
        assertEquals(202, accepted.statusCode(), accepted.body());
        return JSON.readTree(accepted.body()).get("id").asText();
    }

    private static HttpResponse<String> get(TestGateway gateway, String path) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri(path)).header("X-API-Key", KEY).GET().build());
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
