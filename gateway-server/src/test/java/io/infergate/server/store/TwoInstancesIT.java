package io.infergate.server.store;

import io.infergate.server.testing.GatewayProcess;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Two gateway processes (the packaged jar, as an operator runs it) on one real Redis: one rate
 * limit for both, and a Redis restarted under load.
 */
class TwoInstancesIT {

    private static final String KEY = "tenant-key-00000001";
    private static final int CONCURRENCY = 16;

    @TempDir
    Path dir;
    private RedisServer redis;
    private final MockWebServer upstream = new MockWebServer();
    private final List<GatewayProcess> gateways = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(RedisServer.installed(), "redis-server is installed (.ci/run installs it)");
        assumeTrue(GatewayProcess.jarExists(), "the packaged jar is built");
        redis = RedisServer.start(Files.createDirectories(dir.resolve("redis")));
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("ok").build();
            }
        });
        upstream.start();
        String config = """
                store:
                  onUnavailable: allow
                  redis: { url: "%s", commandTimeout: 300ms, connectTimeout: 1s }
                tenants:
                  - { name: acme, keySha256: "%s", limits: { requestsPerMinute: 60 } }
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                    upstreams: [ { name: model, endpoints: [ "%s" ] } ]
                """.formatted(redis.url(), sha256(KEY), upstream.url("/"));
        for (String name : List.of("a", "b")) {
            gateways.add(GatewayProcess.start(Files.createDirectories(dir.resolve(name)), config,
                    "-Xmx128m", "-Dio.netty.leakDetection.level=paranoid"));
        }
    }

    @AfterEach
    void stop() throws Exception {
        for (GatewayProcess gateway : gateways) {
            assertTrue(!gateway.output().contains("LEAK"), gateway.output());
            gateway.close();
        }
        upstream.close();
        if (redis != null) {
            redis.close();
        }
    }

    @Test
    void oneLimitForAll() throws Exception {
        long start = System.nanoTime();
        List<HttpResponse<String>> responses = send(200);
        double seconds = (System.nanoTime() - start) / 1e9;

        long served = responses.stream().filter(r -> r.statusCode() == 200).count();
        // 60 at once, and one more for each second the run took (the bucket refills at 1 a second);
        // and, on a machine too loaded for a round trip within commandTimeout, those onUnavailable let through.
        long unchecked = 0;
        for (GatewayProcess gateway : gateways) {
            unchecked += (long) metric(gateway, "gateway_store_unavailable_total{outcome=\"allowed\"}");
        }
        assertTrue(served >= 60 && served <= 61 + (long) seconds + unchecked,
                served + " served of 200 in " + seconds + " s across both instances, " + unchecked + " unchecked");
        for (HttpResponse<String> response : responses) {
            if (response.statusCode() == 200) {
                continue;
            }
            assertEquals(429, response.statusCode(), response.body());
            assertEquals("rate_limited", response.headers().firstValue("x-gateway-error").orElseThrow());
            long retryAfter = Long.parseLong(response.headers().firstValue("retry-after").orElseThrow());
            assertTrue(retryAfter >= 1 && retryAfter <= 60, "Retry-After " + retryAfter);
            assertEquals("\"requests\";q=60;w=60", response.headers().firstValue("ratelimit-policy").orElseThrow());
            assertTrue(response.headers().firstValue("ratelimit").orElseThrow().startsWith("\"requests\";r=0;t="),
                    response.headers().firstValue("ratelimit").orElseThrow());
        }
        assertEquals(served, upstream.getRequestCount(), "only what was served reached the upstream");
    }

    @Test
    void aRedisRestartedUnderLoadHangsNothingAndIsRecoveredFromWithinFiveSeconds() throws Exception {
        AtomicBoolean running = new AtomicBoolean(true);
        List<HttpResponse<String>> during = new ArrayList<>();
        CompletableFuture<Void> load = CompletableFuture.runAsync(() -> {
            while (running.get()) {
                List<HttpResponse<String>> batch = send(20);
                synchronized (during) {
                    during.addAll(batch);
                }
            }
        });
        Await.until("the tenant's bucket is spent", Duration.ofSeconds(20), () -> count(during, 429) > 0);

        redis.stop();
        Await.until("both instances report the store unreachable", Duration.ofSeconds(5),
                () -> gateways.stream().allMatch(g -> g.readyz() == 503));
        long servedBefore = count(during, 200);
        Await.until("requests are let through unchecked (onUnavailable: allow)", Duration.ofSeconds(5),
                () -> count(during, 200) >= servedBefore + 20);

        redis.start();
        long back = System.nanoTime();
        Await.until("both instances ready again", Duration.ofSeconds(5),
                () -> gateways.stream().allMatch(g -> g.readyz() == 200));
        // The new Redis starts with a full bucket, which the load spends again: refusals resume.
        long refusedBefore = count(during, 429);
        Await.until("the limit holds again", Duration.ofSeconds(5), () -> count(during, 429) > refusedBefore + 20);
        assertTrue(System.nanoTime() - back < Duration.ofSeconds(10).toNanos());
        running.set(false);
        load.get(30, TimeUnit.SECONDS);

        synchronized (during) {
            for (HttpResponse<String> response : during) {
                assertTrue(response.statusCode() == 200 || response.statusCode() == 429,
                        response.statusCode() + " " + response.body());
            }
        }
    }

    /** Sends {@code n} requests, alternating between the instances, {@link #CONCURRENCY} at a time; each must be answered. */
    private List<HttpResponse<String>> send(int n) {
        Semaphore slots = new Semaphore(CONCURRENCY);
        List<CompletableFuture<HttpResponse<String>>> sent = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            slots.acquireUninterruptibly();
            GatewayProcess gateway = gateways.get(i % 2);
            CompletableFuture<HttpResponse<String>> response = TestGateway.client().sendAsync(
                    HttpRequest.newBuilder(gateway.uri("/generate")).POST(HttpRequest.BodyPublishers.ofString("{}"))
                            .header("Content-Type", "application/json").header("X-API-Key", KEY)
                            .timeout(Duration.ofSeconds(5)).build(), HttpResponse.BodyHandlers.ofString());
            response.whenComplete((r, e) -> slots.release());
            sent.add(response);
        }
        // A request that times out (5 s) fails the test here: nothing may hang.
        return sent.stream().map(CompletableFuture::join).toList();
    }

    /** The value of one series on the gateway's /metrics; 0 when it is not there (nothing counted yet). */
    private static double metric(GatewayProcess gateway, String series) throws Exception {
        String page = TestGateway.client().send(HttpRequest.newBuilder(gateway.adminUri("/metrics")).build(),
                HttpResponse.BodyHandlers.ofString()).body();
        return page.lines().filter(line -> line.startsWith(series + " "))
                .mapToDouble(line -> Double.parseDouble(line.substring(series.length() + 1).trim()))
                .findFirst().orElse(0);
    }

    private static long count(List<HttpResponse<String>> responses, int status) {
        synchronized (responses) {
            return responses.stream().filter(r -> r.statusCode() == status).count();
        }
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
