package io.infergate.server.http;

import io.infergate.server.testing.ServerTimingParts;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.Dispatcher;
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
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
        gateway(primaryUrl, routeYaml, "");
    }

    private void gateway(String primaryUrl, String routeYaml, String fallbackYaml) {
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
                %s
                """.formatted(TestGateway.indent(routeYaml, "    "), primaryUrl, fallback.getPort(), TestGateway.indent(fallbackYaml, "        ")));
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
        String timing = response.headers().firstValue("server-timing").orElseThrow();
        assertTrue(ServerTimingParts.of(timing).getOrDefault("retry", 0.0) >= 2000, "the wait is told as retry: " + timing);
        assertTrue(Math.abs(ServerTimingParts.unexplainedMillis(timing)) < 25,
                "the parts add up to the total, but for the gateway's own time: " + timing);
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
        String upstreams = gateway.admin("/admin/upstreams").body();
        assertTrue(upstreams.matches("(?s).*\"url\" : \"http://127.0.0.1:" + primary.getPort()
                + "\".*?\"state\" : \"open\".*"), upstreams);

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
        String metrics = gateway.admin("/metrics").body();
        assertTrue(metrics.contains("gateway_retries_total{route=\"main\",upstream=\"primary\"} 0.0"), metrics);
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

    private static MockResponse events(String events) {
        return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(events).build();
    }

    private HttpResponse<String> postTo(String path, String body) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build());
    }

    @Test
    void aClientErrorWhoseCodeTheRouteFallsBackOnGoesToTheFallbackOnce() throws Exception {
        gateway("fallbackOn: [ context_length_exceeded ]");
        primary.enqueue(new MockResponse.Builder().code(400).body(
                "{\"error\":{\"message\":\"too long\",\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}").build());
        fallback.enqueue(new MockResponse.Builder().body("a longer context").build());
        HttpResponse<String> response = post("{\"inputs\":\"long\"}");
        assertEquals(200, response.statusCode());
        assertEquals("a longer context", response.body());
        assertEquals("small", response.headers().firstValue("x-gateway-fallback").orElseThrow());
        assertEquals(1, primary.getRequestCount());
        assertEquals(1, fallback.getRequestCount());
    }

    @Test
    void aClientErrorWithAnotherCodeIsPassedOnWithItsBodyUntouched() throws Exception {
        gateway("fallbackOn: [ context_length_exceeded ]");
        String refusal = "{\"error\":{\"message\":\"no\",\"code\":\"content_policy_violation\"}}";
        primary.enqueue(new MockResponse.Builder().code(400).body(refusal).build());
        HttpResponse<String> response = post("{}");
        assertEquals(400, response.statusCode());
        assertEquals(refusal, response.body());
        assertEquals(0, fallback.getRequestCount());
    }

    @Test
    void theFallbackSeesItsOwnModelNameAndEveryOtherByteAsSent() throws Exception {
        gateway("http://127.0.0.1:" + primary.getPort(), "retry: { attempts: 1 }", "rewriteModel: small-model");
        primary.enqueue(status(502));
        fallback.enqueue(new MockResponse.Builder().body("ok").build());
        String body = "{ \"model\" : \"large-model\",\n  \"messages\":[{\"role\":\"user\",\"content\":\"h\u00e9\",\"model\":\"x\"}] }";
        assertEquals("ok", postTo("/v1/chat/completions", body).body());
        assertEquals(body, primary.takeRequest(5, TimeUnit.SECONDS).getBody().utf8(), "the primary gets the body as sent");
        RecordedRequest seen = fallback.takeRequest(5, TimeUnit.SECONDS);
        String expected = body.replace("\"large-model\"", "\"small-model\"");
        assertEquals(expected, seen.getBody().utf8());
        assertEquals(String.valueOf(expected.getBytes(StandardCharsets.UTF_8).length),
                seen.getHeaders().get("Content-Length"));
    }

    @Test
    void anOverloadReportedInsideAStreamIsTriedElsewhereBeforeAnyByteReachesTheClient() throws Exception {
        gateway("retry: { attempts: 1 }");
        primary.enqueue(events("data: {\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}\n\n"));
        String stream = "data: {\"index\":1,\"token\":{\"text\":\"a\"},\"generated_text\":\"a\"}\n\n";
        fallback.enqueue(events(stream));
        HttpResponse<String> response = postTo("/generate_stream", "{\"inputs\":\"hi\"}");
        assertEquals(200, response.statusCode());
        assertEquals(stream, response.body());
        assertEquals("small", response.headers().firstValue("x-gateway-fallback").orElseThrow());
        assertEquals(1, primary.getRequestCount());
    }

    @Test
    void anOverloadInAChatStreamIsRecognisedByItsMessage() throws Exception {
        gateway("retry: { attempts: 1 }");
        primary.enqueue(events("data: {\"error\":{\"message\":\"Model is overloaded\",\"http_status_code\":422}}\n\ndata: [DONE]\n\n"));
        fallback.enqueue(events("data: {\"choices\":[{\"delta\":{\"content\":\"hi\"}}]}\n\ndata: [DONE]\n\n"));
        HttpResponse<String> response = postTo("/v1/chat/completions", "{\"stream\":true,\"messages\":[]}");
        assertTrue(response.body().contains("\"content\":\"hi\""), response.body());
        assertEquals(1, fallback.getRequestCount());
    }

    @Test
    void aGenerationErrorInAStreamIsDeliveredAsItCame() throws Exception {
        gateway("retry: { attempts: 1 }");
        String failure = "data: {\"error\":\"Request failed during generation: x\",\"error_type\":\"generation\"}\n\n";
        primary.enqueue(events(failure));
        HttpResponse<String> response = postTo("/generate_stream", "{\"inputs\":\"hi\"}");
        assertEquals(failure, response.body(), "424 is not retryable: the client gets the upstream's own event");
        assertEquals(0, fallback.getRequestCount());
    }

    @Test
    void aStreamWithoutAFirstEventWithinFirstTokenMovesToTheFallback() throws Exception {
        gateway("timeouts: { firstToken: 1s }\nretry: { attempts: 1 }");
        primary.enqueue(new MockResponse.Builder().setHeader("Content-Type", "text/event-stream")
                .body(": waiting\n\n").onResponseBody(SocketEffect.Stall.INSTANCE).build());
        fallback.enqueue(events("data: {\"generated_text\":\"fast\"}\n\n"));
        long start = System.nanoTime();
        HttpResponse<String> response = postTo("/generate_stream", "{\"inputs\":\"hi\"}");
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();
        assertEquals("data: {\"generated_text\":\"fast\"}\n\n", response.body());
        assertTrue(millis >= 1000 && millis < 4000, "moved on after " + millis + " ms");
    }

    @Test
    void aTenSecondOutageAtOneRequestPerSecondIsServedThroughWithTheBreakerProbingOncePerOpenFor() throws Exception {
        long openFor = Duration.ofSeconds(3).toNanos();
        long begin = System.nanoTime();
        long recovery = begin + Duration.ofSeconds(10).toNanos();
        List<Long> primaryTimes = Collections.synchronizedList(new ArrayList<>());
        primary.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                long now = System.nanoTime();
                primaryTimes.add(now);
                return now < recovery ? status(503) : new MockResponse.Builder().body("large").build();
            }
        });
        fallback.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("small").build();
            }
        });
        gateway("retry: { attempts: 1 }\nbreaker: { failures: 2, window: 10s, openFor: 3s }");

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        var pacer = Executors.newSingleThreadScheduledExecutor();
        try {
            var sent = new CountDownLatch(16);
            pacer.scheduleAtFixedRate(() -> {
                if (sent.getCount() > 0) {
                    synchronized (answers) {
                        answers.add(TestGateway.client().sendAsync(HttpRequest.newBuilder(gateway.uri("/generate"))
                                .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofString()));
                    }
                    sent.countDown();
                }
            }, 0, 1, TimeUnit.SECONDS);
            assertTrue(sent.await(30, TimeUnit.SECONDS));
        } finally {
            pacer.shutdownNow();
        }
        long lastSmall = Long.MIN_VALUE;
        int answeredByPrimary = 0;
        for (var answer : answers) {
            HttpResponse<String> response = answer.get(10, TimeUnit.SECONDS);
            assertEquals(200, response.statusCode(), "every request is served, by one model or the other");
            if (response.body().equals("small")) {
                assertEquals(0, answeredByPrimary, "once the primary is back, it keeps the traffic");
            } else {
                answeredByPrimary++;
            }
        }
        assertTrue(answeredByPrimary >= 2, answeredByPrimary + " answered by the recovered primary");

        List<Long> duringOutage = primaryTimes.stream().filter(t -> t < recovery).toList();
        for (int i = 2; i < duringOutage.size(); i++) {
            long gap = duringOutage.get(i) - duringOutage.get(i - 1);
            assertTrue(gap >= openFor - Duration.ofMillis(100).toNanos(),
                    "probes of the failing primary come at most once per openFor; gap " + gap / 1_000_000 + " ms");
        }
        assertTrue(duringOutage.size() <= 2 + 4, duringOutage.size() + " requests reached the primary during the outage");
        long firstAfter = primaryTimes.stream().filter(t -> t >= recovery).findFirst().orElseThrow();
        assertTrue(firstAfter - recovery <= openFor + Duration.ofMillis(1100).toNanos(),
                "traffic returns within openFor of the recovery: " + (firstAfter - recovery) / 1_000_000 + " ms");
    }
}
