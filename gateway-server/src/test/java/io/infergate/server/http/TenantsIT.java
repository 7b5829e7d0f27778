package io.infergate.server.http;

import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.UpstreamSim;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Tenants: who may call which route, how often, and who is served first when the model is full. */
class TenantsIT {

    private static final String PREMIUM_KEY = "premium-key-0000001";
    private static final String FREE_KEY = "free-key-000000001";
    private static final String LIMITED_KEY = "limited-key-0000001";
    private static final String THRIFTY_KEY = "thrifty-key-0000001";

    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    @AutoClose
    private UpstreamSim sim;
    @AutoClose
    private TestGateway gateway;

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    private void gateway(String url, String routeYaml) throws Exception {
        gateway = TestGateway.start("""
                auth: { required: true }
                tenants:
                  - { name: acme, keySha256: "%s", tier: premium }
                  - { name: hobby, keySha256: "%s", tier: free }
                  - { name: metered, keySha256: "%s", routes: [ chat ], limits: { requestsPerMinute: 2 } }
                  - { name: thrifty, keySha256: "%s", limits: { tokensPerMinute: 100 } }
                routes:
                  - name: other
                    match: { pathPrefix: /other/ }
                    upstreams:
                      - name: model
                        endpoints: [ "%s" ]
                  - name: chat
                    match: { pathPrefix: / }
                %s
                    upstreams:
                      - name: model
                        endpoints: [ "%s" ]
                """.formatted(sha256(PREMIUM_KEY), sha256(FREE_KEY), sha256(LIMITED_KEY), sha256(THRIFTY_KEY), url,
                TestGateway.indent(routeYaml, "    "), url));
    }

    private static HttpRequest.Builder post(TestGateway gateway, String path, String body) {
        return HttpRequest.newBuilder(gateway.uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
    }

    @Test
    void aKeyIsRequiredKnownAndAllowedOnTheRouteAndNeverReachesTheUpstream() throws Exception {
        gateway(upstream.url("/").toString(), "");
        for (int i = 0; i < 2; i++) {
            upstream.enqueue(new MockResponse.Builder().body("ok").build());
        }
        HttpResponse<String> missing = TestGateway.send(post(gateway, "/generate", "{}").build());
        assertEquals(401, missing.statusCode());
        assertEquals("unauthorized", missing.headers().firstValue("x-gateway-error").orElseThrow());
        HttpResponse<String> unknown = TestGateway.send(post(gateway, "/generate", "{}")
                .header("Authorization", "Bearer not-a-known-key-at-all").build());
        assertEquals(401, unknown.statusCode());
        assertTrue(!unknown.body().contains("not-a-known-key-at-all"), "the key is not echoed");
        HttpResponse<String> forbidden = TestGateway.send(post(gateway, "/other/generate", "{}")
                .header("X-API-Key", LIMITED_KEY).build());
        assertEquals(403, forbidden.statusCode());
        assertEquals("forbidden", forbidden.headers().firstValue("x-gateway-error").orElseThrow());
        assertEquals(0, upstream.getRequestCount(), "refused requests go nowhere");

        assertEquals("ok", TestGateway.send(post(gateway, "/generate", "{}")
                .header("Authorization", "Bearer " + PREMIUM_KEY).build()).body());
        RecordedRequest bearer = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertNull(bearer.getHeaders().get("Authorization"), "the tenant's bearer key is not forwarded");
        assertEquals("ok", TestGateway.send(post(gateway, "/generate", "{}")
                .header("X-API-Key", FREE_KEY).header("Authorization", "Bearer upstream-token").build()).body());
        RecordedRequest apiKey = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertNull(apiKey.getHeaders().get("X-API-Key"), "X-API-Key is the gateway's own");
        assertEquals("Bearer upstream-token", apiKey.getHeaders().get("Authorization"), "the client's own upstream token passes");
    }

    @Test
    void aTenantPastItsRateLimitGets429WithRetryAfterAndRateLimitHeaders() throws Exception {
        gateway(upstream.url("/").toString(), "");
        for (int i = 0; i < 2; i++) {
            upstream.enqueue(new MockResponse.Builder().body("ok").build());
        }
        for (int i = 0; i < 2; i++) {
            HttpResponse<String> served = TestGateway.send(post(gateway, "/generate", "{}")
                    .header("X-API-Key", LIMITED_KEY).build());
            assertEquals(200, served.statusCode());
            // A served response tells the tenant where it stands too, not only the refusal.
            assertEquals("\"requests\";q=2;w=60", served.headers().firstValue("ratelimit-policy").orElseThrow());
            assertTrue(served.headers().firstValue("ratelimit").orElseThrow().startsWith("\"requests\";r=" + (1 - i) + ";t="),
                    served.headers().firstValue("ratelimit").orElseThrow());
        }
        HttpResponse<String> limited = TestGateway.send(post(gateway, "/generate", "{}").header("X-API-Key", LIMITED_KEY).build());
        assertEquals(429, limited.statusCode());
        assertEquals("rate_limited", limited.headers().firstValue("x-gateway-error").orElseThrow());
        long retryAfter = Long.parseLong(limited.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 1 && retryAfter <= 30, "one request refills every 30 s: Retry-After " + retryAfter);
        assertEquals("\"requests\";q=2;w=60", limited.headers().firstValue("ratelimit-policy").orElseThrow());
        assertTrue(limited.headers().firstValue("ratelimit").orElseThrow().startsWith("\"requests\";r=0;t="));
        assertEquals(2, upstream.getRequestCount());
        assertEquals(1.0, gateway.server().registry().find(MeterNames.RATE_LIMITED).tag("route", "chat")
                .tag("tier", "standard").counter().count());
        upstream.enqueue(new MockResponse.Builder().body("ok").build());
        assertEquals(200, TestGateway.send(post(gateway, "/generate", "{}").header("X-API-Key", PREMIUM_KEY).build())
                .statusCode(), "another tenant's bucket is its own");
    }

    @Test
    void tokensAreReservedFromTheRequestAndSettledToWhatTheModelGenerated() throws Exception {
        gateway(upstream.url("/").toString(), "");
        String body = "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":80}}";
        for (int i = 0; i < 2; i++) {
            upstream.enqueue(new MockResponse.Builder().setHeader("x-generated-tokens", "5").body("ok").build());
        }
        assertEquals(200, TestGateway.send(post(gateway, "/generate", body).header("X-API-Key", THRIFTY_KEY).build()).statusCode());
        assertEquals(200, TestGateway.send(post(gateway, "/generate", body).header("X-API-Key", THRIFTY_KEY).build()).statusCode(),
                "80 reserved, 5 used: 95 of 100 left, enough for another 80");
        HttpResponse<String> refused = TestGateway.send(post(gateway, "/generate",
                "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":95}}").header("X-API-Key", THRIFTY_KEY).build());
        assertEquals(429, refused.statusCode(), "90 left after two settled requests: 95 does not fit");
        assertTrue(refused.headers().firstValue("ratelimit-policy").orElseThrow().contains("\"tokens\";q=100;w=60"));
        assertEquals(2, upstream.getRequestCount());
    }

    @Test
    void atSixTimesCapacityPremiumIsServedFirstFreeIsShedInTimeAndTheModelStaysBusy() throws Exception {
        // 4 slots; 4 tokens at 8 tokens/s: half a second a request.
        sim = UpstreamSim.builder().maxBatch(4).maxQueue(0).tokensPerSecond(8).batchSlowdown(1).start();
        gateway(sim.url(), "admission: { maxInFlightPerEndpoint: 4, queue: 64, maxQueueWait: 10s }");
        String body = "{\"inputs\":\"tiers\",\"parameters\":{\"max_new_tokens\":4}}";
        List<CompletableFuture<HttpResponse<String>>> premium = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> free = new ArrayList<>();
        long start = System.nanoTime();
        for (int i = 0; i < 12; i++) {
            free.add(TestGateway.client().sendAsync(post(gateway, "/generate", body).header("X-API-Key", FREE_KEY)
                    .header("X-Request-Timeout", "3").build(), HttpResponse.BodyHandlers.ofString()));
            premium.add(TestGateway.client().sendAsync(post(gateway, "/generate", body).header("X-API-Key", PREMIUM_KEY)
                    .header("X-Request-Timeout", "6").build(), HttpResponse.BodyHandlers.ofString()));
        }
        long lastPremium = 0;
        long lastServed = 0;
        for (CompletableFuture<HttpResponse<String>> answer : premium) {
            HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), response.body());
            lastPremium = Math.max(lastPremium, System.nanoTime() - start);
        }
        lastServed = lastPremium;
        int freeServed = 0;
        for (CompletableFuture<HttpResponse<String>> answer : free) {
            HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
            long at = System.nanoTime() - start;
            assertTrue(Duration.ofNanos(at).toMillis() < 3_300, "a free request waited past its 3 s deadline");
            if (response.statusCode() == 200) {
                freeServed++;
                lastServed = Math.max(lastServed, at);
            } else {
                assertEquals(429, response.statusCode(), response.body());
                assertEquals("shed_overload", response.headers().firstValue("x-gateway-error").orElseThrow());
                assertTrue(response.headers().firstValue("retry-after").isPresent());
            }
        }
        assertTrue(Duration.ofNanos(lastPremium).toMillis() < 3_000,
                "12 premium requests, 4 at a time, half a second each, ahead of the free ones: done in "
                        + Duration.ofNanos(lastPremium).toMillis() + " ms");
        assertEquals(0, sim.stats().overloaded(), "the endpoint never refused anything itself");
        assertTrue(sim.stats().maxConcurrent() <= 4, "batch peaked at " + sim.stats().maxConcurrent());
        long served = sim.stats().completed();
        assertEquals(12 + freeServed, served);
        // Half a second of the model's time per request, four at once, until the last one served.
        double goodput = served * 0.5 / (4 * (lastServed / 1e9));
        assertTrue(goodput >= 0.9, "goodput " + goodput + " of capacity (" + served + " served)");
    }
}
