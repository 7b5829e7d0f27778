package io.infergate.server.http;

import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Retries, fallbacks and breakers, with the exact number of attempts each endpoint sees. */
class ResilienceIT {

    @StartStop
    private final MockWebServer primary = new MockWebServer();
    @StartStop
    private final MockWebServer fallback = new MockWebServer();
    @AutoClose
    private TestGateway gateway;

    private void gateway(String primaryUrl, String routeYaml) {
        gateway = TestGateway.start("""
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                %s
                    upstreams:
                      - name: large
                        endpoints: [ "%s" ]
                      - name: small
                        endpoints: [ "http://127.0.0.1:%d" ]
                """.formatted(routeYaml.isBlank() ? "" : routeYaml.strip().lines().map(l -> "    " + l)
                        .reduce((a, b) -> a + "\n" + b).orElse(""), primaryUrl, fallback.getPort()));
    }

    private void gateway(String routeYaml) {
        gateway("http://127.0.0.1:" + primary.getPort(), routeYaml);
    }

    private HttpResponse<String> post(String body) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build());
    }

    private static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).body("{\"error\":\"e\",\"error_type\":\"x\"}").build();
    }

    @Test
    void aServerErrorIsRetriedOnTheSameUpstreamWithTheSameBody() throws Exception {
        gateway("retry: { attempts: 2, backoff: 10ms }");
        primary.enqueue(status(500));
        primary.enqueue(new MockResponse.Builder().body("recovered").build());
        HttpResponse<String> response = post("{\"inputs\":\"hi\"}");
        assertEquals(200, response.statusCode());
        assertEquals("recovered", response.body());
        assertEquals("large/127.0.0.1:" + primary.getPort(), response.headers().firstValue("x-gateway-upstream").orElseThrow());
        assertTrue(response.headers().firstValue("x-gateway-fallback").isEmpty());
        assertEquals("{\"inputs\":\"hi\"}", primary.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
        assertEquals("{\"inputs\":\"hi\"}", primary.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
        assertEquals(2, primary.getRequestCount());
        assertEquals(0, fallback.getRequestCount());
    }

    @Test
    void attemptsExhaustedOnThePrimaryMoveToTheFallback() throws Exception {
        gateway("retry: { attempts: 2, backoff: 10ms }");
        primary.enqueue(status(503));
        primary.enqueue(status(503));
        fallback.enqueue(new MockResponse.Builder().body("small model").build());
        HttpResponse<String> response = post("{\"inputs\":\"hi\"}");
        assertEquals("small model", response.body());
        assertEquals("small", response.headers().firstValue("x-gateway-fallback").orElseThrow());
        assertEquals(2, primary.getRequestCount());
        assertEquals(1, fallback.getRequestCount());
        RecordedRequest seen = fallback.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("{\"inputs\":\"hi\"}", seen.getBody().utf8());
        assertEquals("127.0.0.1:" + fallback.getPort(), seen.getHeaders().get("Host"));
    }

    @Test
    void anUnconnectablePrimaryIsPassedForTheFallback() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        gateway("http://127.0.0.1:" + closedPort, "retry: { attempts: 2, backoff: 10ms }");
        fallback.enqueue(new MockResponse.Builder().body("small model").build());
        HttpResponse<String> response = post("{}");
        assertEquals(200, response.statusCode());
        assertEquals("small", response.headers().firstValue("x-gateway-fallback").orElseThrow());
    }

    @Test
    void clientErrorsArePassedOnAfterOneAttempt() throws Exception {
        gateway("");
        primary.enqueue(status(422));
        assertEquals(422, post("{}").statusCode());
        assertEquals(1, primary.getRequestCount());
        assertEquals(0, fallback.getRequestCount());
    }

    @Test
    void tooManyRequestsIsRetriedAfterItsRetryAfter() throws Exception {
        gateway("");
        primary.enqueue(new MockResponse.Builder().code(429).setHeader("Retry-After", "2").body("{}").build());
        primary.enqueue(new MockResponse.Builder().body("after the wait").build());
        long start = System.nanoTime();
        HttpResponse<String> response = post("{}");
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals("after the wait", response.body());
        assertTrue(millis >= 2000, "retried after " + millis + " ms");
        assertEquals(0, fallback.getRequestCount());
    }

    @Test
    void aSilentPrimaryIsAnsweredByTheFallbackAfterTheFirstByteTimeout() throws Exception {
        gateway("timeouts: { firstByte: 1s }");
        primary.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        fallback.enqueue(new MockResponse.Builder().body("small model").build());
        long start = System.nanoTime();
        HttpResponse<String> response = post("{}");
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals("small model", response.body());
        assertTrue(millis >= 1000 && millis < 4000, "answered after " + millis + " ms");
        assertEquals(1, primary.getRequestCount(), "a silent endpoint is not asked twice");
    }

    @Test
    void anOpenBreakerSendsRequestsStraightToTheFallbackThenProbes() throws Exception {
        gateway("retry: { attempts: 1 }\nbreaker: { failures: 2, window: 10s, openFor: 1s }");
        for (int i = 0; i < 2; i++) {
            primary.enqueue(status(500));
            fallback.enqueue(new MockResponse.Builder().body("fallback " + i).build());
            assertEquals("fallback " + i, post("{}").body());
        }
        fallback.enqueue(new MockResponse.Builder().body("while open").build());
        assertEquals("while open", post("{}").body());
        assertEquals(2, primary.getRequestCount(), "the open breaker kept the request off the primary");

        primary.enqueue(new MockResponse.Builder().body("probe").build());
        long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        String body;
        do {
            fallback.enqueue(new MockResponse.Builder().body("still open").build());
            body = post("{}").body();
        } while (!body.equals("probe") && System.nanoTime() < deadline);
        assertEquals("probe", body, "after openFor, a probe reaches the primary");
        primary.enqueue(new MockResponse.Builder().body("closed again").build());
        assertEquals("closed again", post("{}").body());
    }

    @Test
    void withEveryBreakerOpenAndNoFallbackTheAnswerIs503WithRetryAfter() throws Exception {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + primary.getPort(),
                "retry: { attempts: 1 }\nbreaker: { failures: 1, window: 10s, openFor: 30s }");
        primary.enqueue(status(502));
        assertEquals(502, gateway.get("/x").statusCode());
        HttpResponse<String> refused = gateway.get("/x");
        assertEquals(503, refused.statusCode());
        assertEquals("breaker_open", refused.headers().firstValue("x-gateway-error").orElseThrow());
        long retryAfter = Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow());
        assertTrue(retryAfter >= 29 && retryAfter <= 30, "Retry-After: " + retryAfter);
        assertEquals(1, primary.getRequestCount());
    }

    @Test
    void anEmptyRetryBudgetMakesNoRetriesWhateverTheLoad() throws Exception {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + primary.getPort(),
                "retry: { attempts: 3, backoff: 1ms, budgetPercent: 0, minRetriesPerSecond: 0 }\n"
                        + "breaker: { failures: 1000 }");
        for (int i = 0; i < 10; i++) {
            primary.enqueue(status(500));
        }
        for (int i = 0; i < 10; i++) {
            assertEquals(500, gateway.get("/x").statusCode());
        }
        assertEquals(10, primary.getRequestCount());
        assertFalse(gateway.admin("/metrics").body().contains("gateway_retries_total{route=\"main\""));
    }

    @Test
    void theBodyReadToDecideOnEarlyHeadersIsStillWholeForTheNextAttempt() throws Exception {
        gateway("heartbeat: { earlyHeaders: true }\nretry: { attempts: 2, backoff: 10ms }");
        primary.enqueue(status(503));
        primary.enqueue(new MockResponse.Builder().body("second").build());
        assertEquals("second", post("{\"inputs\":\"hi\"}").body());
        primary.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("{\"inputs\":\"hi\"}", primary.takeRequest(5, TimeUnit.SECONDS).getBody().utf8());
    }
}
