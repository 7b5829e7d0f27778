package io.infergate.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.server.testing.LogCapture;
import io.infergate.server.testing.RedisServer;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.Dispatcher;
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
import java.util.HexFormat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared store reached by the other routes Lettuce offers, each against a real redis-server:
 * over TLS ({@code rediss://}) with the store's own {@code caFile}, refused without it, and through
 * a Sentinel that names the master.
 */
class StoreOverTlsAndSentinelIT {

    private static final String KEY = "tls-key-000000001";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private final MockWebServer upstream = new MockWebServer();
    private RedisServer redis;
    private RedisServer sentinel;
    private TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(RedisServer.installed(), "redis-server is installed (.ci/run installs it)");
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().setHeader("Content-Type", "application/json")
                        .body("{\"generated_text\":\"ok\"}").build();
            }
        });
        upstream.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
        for (RedisServer server : new RedisServer[] {sentinel, redis}) {
            if (server != null) {
                server.close();
            }
        }
    }

    /** @param redisKeys more keys of {@code store.redis}, after the url */
    private TestGateway gateway(String url, String redisKeys) throws Exception {
        return TestGateway.start("""
                store:
                  onUnavailable: deny
                  redis: { url: "%s", connectTimeout: 1s, commandTimeout: 500ms, keyPrefix: "it:"%s }
                tenants:
                  - { name: shared, keySha256: "%s", limits: { requestsPerMinute: 3 } }
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                    upstreams: [ { name: model, endpoints: [ "%s" ] } ]
                """.formatted(url, redisKeys, sha256(KEY), upstream.url("/")));
    }

    @Test
    void overTlsWithItsCaFileEveryConnectionIsMadeAndLimitsAndJobsGoThroughIt() throws Exception {
        redis = RedisServer.startTls(dir);
        assertTrue(redis.url().startsWith("rediss://127.0.0.1:"), redis.url());
        gateway = gateway(redis.url(), ", caFile: \"" + redis.caFile() + "\"");

        assertEquals(200, gateway.admin("/readyz").statusCode(), "ready: the shared and every loop's connection are up");
        assertTrue(Integer.parseInt(redis.info("connected_clients")) >= 2,
                "the shared connection and the loops' ones, all over TLS: " + redis.info("connected_clients"));
        String id = submitJob();
        assertEquals(2, limitedAfterThree(), "the job counted as the first request");
        assertEquals(":1", redis.command("EXISTS it:rl:{shared/chat}:3:0"), "the bucket is on the TLS Redis");
        JsonNode done = JSON.readTree(get("/v1/jobs/" + id + "?wait=10s").body());
        assertEquals("succeeded", done.get("status").asText(), done.toString());
        HttpResponse<String> result = get("/v1/jobs/" + id + "/result");
        assertEquals(200, result.statusCode(), result.body());
        assertTrue(result.body().contains("generated_text"), result.body());
    }

    @Test
    void overTlsWithoutTheCaTheStoreIsUnavailableAndTheLogSaysWhy() throws Exception {
        redis = RedisServer.startTls(dir);
        LogCapture log = LogCapture.open();
        long start = System.nanoTime();
        try {
            gateway = gateway(redis.url(), "");
        } finally {
            log.close();
        }
        assertTrue(System.nanoTime() - start < Duration.ofSeconds(5).toNanos(), "the failed handshake is not waited on");
        HttpResponse<String> ready = gateway.admin("/readyz");
        assertEquals(503, ready.statusCode());
        assertEquals("store unreachable\n", ready.body());
        HttpResponse<String> denied = post();
        assertEquals(503, denied.statusCode());
        assertEquals("store_unavailable", denied.headers().firstValue("x-gateway-error").orElseThrow());
        assertTrue(log.all().stream().anyMatch(line -> line.logger().endsWith("StoreHealth")
                        && line.text().contains(redis.url()) && line.text().contains("certification path")),
                "the log names the store and the certificate it could not trust: " + log.all());
    }

    @Test
    void throughASentinelTheMasterItNamesHoldsTheLimits() throws Exception {
        redis = RedisServer.start(dir);
        sentinel = RedisServer.startSentinel(dir, redis, "mymaster");
        gateway = gateway("redis-sentinel://127.0.0.1:" + sentinel.port() + "/0#mymaster", "");

        assertEquals(200, gateway.admin("/readyz").statusCode(), "ready: the shared and every loop's connection are up");
        assertEquals(3, limitedAfterThree());
        assertEquals(":1", redis.command("EXISTS it:rl:{shared/chat}:3:0"), "the bucket is on the master");
    }

    /** Sends until the tenant is refused for its rate, and returns how many passed first. */
    private int limitedAfterThree() throws Exception {
        int passed = 0;
        for (HttpResponse<String> answer = post(); answer.statusCode() != 429; answer = post()) {
            assertEquals(200, answer.statusCode(), answer.body());
            passed++;
            assertTrue(passed <= 3, "never more than the three a minute");
        }
        HttpResponse<String> limited = post();
        assertEquals(429, limited.statusCode());
        assertEquals("rate_limited", limited.headers().firstValue("x-gateway-error").orElseThrow());
        return passed;
    }

    private HttpResponse<String> post() throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{}")).header("Content-Type", "application/json")
                .header("X-API-Key", KEY).timeout(Duration.ofSeconds(10)).build());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri(path)).header("X-API-Key", KEY)
                .timeout(Duration.ofSeconds(20)).build());
    }

    private String submitJob() throws Exception {
        HttpResponse<String> accepted = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\"}")).header("Content-Type", "application/json")
                .header("X-API-Key", KEY).header("Prefer", "respond-async").timeout(Duration.ofSeconds(10)).build());
        assertEquals(202, accepted.statusCode(), accepted.body());
        return JSON.readTree(accepted.body()).get("id").asText();
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
