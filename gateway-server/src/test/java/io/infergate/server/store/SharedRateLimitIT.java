package io.infergate.server.store;

import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.LogCapture;
import io.infergate.server.testing.RedisServer;
import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
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
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Rate limits on a real Redis, shared by two gateways in this process: one bucket for both, tokens
 * reserved on one and settled on the other, and what a request gets while Redis is down.
 */
class SharedRateLimitIT {

    private static final String KEY = "shared-key-00000001";
    private static final String THRIFTY_KEY = "thrifty-key-0000001";

    @TempDir
    Path dir;
    private RedisServer redis;
    private final MockWebServer upstream = new MockWebServer();
    private TestGateway a;
    private TestGateway b;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(RedisServer.installed(), "redis-server is installed (.ci/run installs it)");
        redis = RedisServer.start(dir);
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().setHeader("x-generated-tokens", "5").body("ok").build();
            }
        });
        upstream.start();
    }

    @AfterEach
    void stop() throws Exception {
        for (TestGateway gateway : new TestGateway[] {a, b}) {
            if (gateway != null) {
                gateway.close();
            }
        }
        upstream.close();
        if (redis != null) {
            redis.close();
        }
    }

    private TestGateway gateway(String onUnavailable, String keyPrefix) throws Exception {
        return gateway(onUnavailable, keyPrefix, Map.of());
    }

    /** @param password put in {@code REDIS_PASSWORD}, which {@code passwordEnv} names; empty: no password */
    private TestGateway gateway(String onUnavailable, String keyPrefix, Map<String, String> password) throws Exception {
        return TestGateway.start("""
                store:
                  onUnavailable: %s
                  redis: { url: "%s", commandTimeout: 300ms, connectTimeout: 1s, keyPrefix: "%s"%s }
                tenants:
                  - { name: shared, keySha256: "%s", limits: { requestsPerMinute: 3 } }
                  - { name: thrifty, keySha256: "%s", limits: { tokensPerMinute: 100 } }
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                    upstreams: [ { name: model, endpoints: [ "%s" ] } ]
                """.formatted(onUnavailable, redis.url(), keyPrefix,
                password.isEmpty() ? "" : ", passwordEnv: REDIS_PASSWORD", sha256(KEY), sha256(THRIFTY_KEY),
                upstream.url("/")), password);
    }

    private static HttpResponse<String> post(TestGateway gateway, String key, String body) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                .header("X-API-Key", key).timeout(Duration.ofSeconds(10)).build());
    }

    @Test
    void twoGatewaysDrawFromOneBucketAndRefuseWithItsHeaders() throws Exception {
        a = gateway("allow", "it:");
        b = gateway("allow", "it:");
        assertEquals(MeterNames.sharedStore(), storeMeters(a), "every store meter, before any request");
        assertEquals(200, post(a, KEY, "{}").statusCode());
        assertEquals(200, post(b, KEY, "{}").statusCode());
        assertEquals(200, post(a, KEY, "{}").statusCode());
        HttpResponse<String> limited = post(b, KEY, "{}");
        assertEquals(429, limited.statusCode(), "three for both together, not three each");
        assertEquals("\"requests\";q=3;w=60", limited.headers().firstValue("ratelimit-policy").orElseThrow());
        assertEquals("rate_limited", limited.headers().firstValue("x-gateway-error").orElseThrow());
        long retryAfter = Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 20, "one request refills every 20 s: Retry-After " + retryAfter);
        assertTrue(limited.headers().firstValue("ratelimit").orElseThrow().startsWith("\"requests\";r=0;t="),
                limited.headers().firstValue("ratelimit").orElseThrow());
        assertEquals(429, post(a, KEY, "{}").statusCode());
        assertEquals(3, upstream.getRequestCount());
        assertTrue(timer(a).count() >= 3, "round trips are timed");
        assertEquals("1", redis.command("EXISTS it:rl:{shared/chat}:3:0").substring(1));
    }

    @Test
    void tokensReservedOnOneGatewayAreSettledForBoth() throws Exception {
        a = gateway("allow", "it:");
        b = gateway("allow", "it:");
        String body = "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":95}}";
        assertEquals(200, post(a, THRIFTY_KEY, body).statusCode());
        // 95 reserved, 5 used: settled to 95 left (and a little refill), so B can reserve another 95 at once.
        awaitTokensLeft(94);
        HttpResponse<String> second = post(b, THRIFTY_KEY, body);
        assertEquals(200, second.statusCode(), "A's settlement counts on B too");
        awaitTokensLeft(89);
        HttpResponse<String> third = post(a, THRIFTY_KEY, body);
        assertEquals(429, third.statusCode(), "about 90 left after two settled requests of 5: not enough for 95");
        assertTrue(third.headers().firstValue("ratelimit").orElseThrow().startsWith("\"tokens\";r=9"),
                third.headers().firstValue("ratelimit").orElseThrow());
    }

    /** Waits until the tenant's token bucket in Redis holds at least {@code tokens}: the settlement is in. */
    private void awaitTokensLeft(double tokens) {
        Await.until("the settlement reached the store", Duration.ofSeconds(5), () -> {
            String value = redis.bulk("HGET it:rl:{thrifty/chat}:0:100 t");
            return value != null && Double.parseDouble(value) >= tokens;
        });
    }

    @Test
    void thePasswordFromTheEnvironmentOpensARedisThatRequiresOne() throws Exception {
        redis.close();
        redis = RedisServer.start(dir, "--requirepass", "redis-Passw0rd-for-the-test");
        a = gateway("deny", "it:", Map.of("REDIS_PASSWORD", "redis-Passw0rd-for-the-test"));
        b = gateway("deny", "it:", Map.of("REDIS_PASSWORD", "not-the-password"));
        assertEquals(200, readyz(a));
        assertEquals(200, post(a, KEY, "{}").statusCode());
        assertEquals(503, readyz(b), "a wrong password never reaches the store");
        assertEquals(503, post(b, KEY, "{}").statusCode());
    }

    @Test
    void aKeyPrefixKeepsGatewaysApart() throws Exception {
        a = gateway("allow", "one:");
        b = gateway("allow", "two:");
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post(a, KEY, "{}").statusCode());
        }
        assertEquals(429, post(a, KEY, "{}").statusCode());
        assertEquals(200, post(b, KEY, "{}").statusCode(), "another prefix, another bucket");
    }

    @Test
    void aGatewayStartedBeforeRedisIsUnreadyUntilItAnswersThenLimits() throws Exception {
        redis.stop();
        a = gateway("deny", "it:");
        assertEquals(503, readyz(a));
        assertEquals(503, post(a, KEY, "{}").statusCode());

        redis.start();
        Await.until("ready once Redis answers, without a restart", Duration.ofSeconds(5), () -> readyz(a) == 200);
        for (int i = 0; i < 3; i++) {
            assertEquals(200, post(a, KEY, "{}").statusCode());
        }
        assertEquals(429, post(a, KEY, "{}").statusCode());
    }

    @Test
    void whileRedisIsDownDenyRefusesAndAllowLetsThroughAndBothRecoverWithoutARestart() throws Exception {
        a = gateway("deny", "it:");
        b = gateway("allow", "it:");
        assertEquals(200, a.admin("/readyz").statusCode());
        LogCapture log = LogCapture.open();

        redis.stop();
        Await.until("A's /readyz fails", Duration.ofSeconds(5), () -> readyz(a) == 503);
        assertEquals("store unreachable\n", a.admin("/readyz").body());
        HttpResponse<String> denied = post(a, KEY, "{}");
        assertEquals(503, denied.statusCode());
        assertEquals("store_unavailable", denied.headers().firstValue("x-gateway-error").orElseThrow());
        assertEquals("1", denied.headers().firstValue("retry-after").orElseThrow());
        for (int i = 0; i < 5; i++) {
            assertEquals(200, post(b, KEY, "{}").statusCode(), "allow: unchecked while the store is down");
        }
        assertEquals(1.0, unavailable(a, "denied"));
        assertEquals(5.0, unavailable(b, "allowed"));
        assertEquals(0.0, a.server().registry().get(MeterNames.STORE_UP).gauge().value());
        log.close();
        assertEquals(2, log.all().stream()
                        .filter(l -> l.logger().endsWith("StoreHealth") && l.text().contains("unreachable")).count(),
                "the outage is logged once by each gateway, not once per request: " + log.all());

        redis.start();
        long back = System.nanoTime();
        Await.until("both gateways ready again", Duration.ofSeconds(5),
                () -> readyz(a) == 200 && readyz(b) == 200);
        Await.until("A serves again", Duration.ofSeconds(5), () -> status(a, KEY) == 200);
        assertTrue(System.nanoTime() - back < Duration.ofSeconds(5).toNanos());
        assertEquals(1.0, a.server().registry().get(MeterNames.STORE_UP).gauge().value());
        assertTrue(a.server().registry().find(MeterNames.STORE_ERRORS).counters().stream()
                .mapToDouble(c -> c.count()).sum() >= 1, "the failed round trips are counted");
    }

    private static java.util.Set<String> storeMeters(TestGateway gateway) {
        java.util.Set<String> names = new java.util.HashSet<>();
        gateway.server().registry().getMeters().stream().map(m -> m.getId().getName())
                .filter(name -> name.startsWith("gateway_store")).forEach(names::add);
        return names;
    }

    private static int readyz(TestGateway gateway) {
        try {
            return gateway.admin("/readyz").statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static int status(TestGateway gateway, String key) {
        try {
            return post(gateway, key, "{}").statusCode();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static io.micrometer.core.instrument.Timer timer(TestGateway gateway) {
        return gateway.server().registry().get(MeterNames.STORE_COMMAND).tag("op", "rate_limit").timer();
    }

    private static double unavailable(TestGateway gateway, String outcome) {
        return gateway.server().registry().get(MeterNames.STORE_UNAVAILABLE).tag("outcome", outcome).counter().count();
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
