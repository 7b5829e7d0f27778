package io.infergate.server.http;

import io.infergate.server.testing.RawHttp;
import io.infergate.server.testing.ServerTimingParts;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A request that finds every breaker open waits for the probe rather than being answered at once
 * (a client that repeats an instant refusal would storm the gateway), and a request that cannot
 * wait so long is answered {@code 502 breaker_open} in its route's dialect.
 */
class BreakerHoldIT {

    private static final String GENERATE = "POST /generate HTTP/1.1\r\nHost: g\r\nContent-Type: application/json\r\n"
            + "Content-Length: 2\r\n\r\n{}";

    @StartStop
    private final MockWebServer primary = new MockWebServer();
    @AutoClose
    private TestGateway gateway;

    private RawHttp.Response send(String request) throws Exception {
        try (RawHttp raw = new RawHttp(gateway.port())) {
            return raw.send(request).read();
        }
    }

    /** The primary fails once, which opens its breaker (one failure, no retry, no fallback). */
    private void openTheBreaker(String routeKeys) throws Exception {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + primary.getPort(),
                "retry: { attempts: 1 }\n" + routeKeys);
        primary.enqueue(new MockResponse.Builder().code(502).body("down").build());
        assertEquals(502, send(GENERATE).status());
        assertEquals(1, primary.getRequestCount());
    }

    @Test
    void aRequestDuringAnOpenBreakerIsHeldUntilTheProbeIsDueAndGetsItsAnswer() throws Exception {
        openTheBreaker("breaker: { failures: 1, window: 10s, openFor: 1s }");
        primary.enqueue(new MockResponse.Builder().body("recovered").build());

        long start = System.nanoTime();
        RawHttp.Response held = send(GENERATE);
        long tookMillis = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start);

        assertEquals(200, held.status(), held.toString());
        assertEquals("recovered", held.body());
        assertEquals(2, primary.getRequestCount(), "the held request was the probe, and the only request sent");
        String timing = held.header("server-timing");
        double breaker = ServerTimingParts.of(timing).getOrDefault("breaker", 0.0);
        assertTrue(breaker >= 500 && breaker <= tookMillis, "the hold is told as breaker: " + timing);
        assertTrue(Math.abs(ServerTimingParts.unexplainedMillis(timing)) < 25, "the parts account for the total: " + timing);
    }

    @Test
    void heldRequestsHearTheProbesOutcomeAndWaitForTheNextProbeWhenItFails() throws Exception {
        openTheBreaker("breaker: { failures: 1, window: 10s, openFor: 1s }");
        primary.enqueue(new MockResponse.Builder().code(502).body("still down").build());
        primary.enqueue(new MockResponse.Builder().body("recovered").build());

        List<CompletableFuture<RawHttp.Response>> calls = List.of(
                CompletableFuture.supplyAsync(this::sendUnchecked), CompletableFuture.supplyAsync(this::sendUnchecked));
        List<RawHttp.Response> answers = calls.stream().map(CompletableFuture::join).toList();

        // One made the first probe and got its failure; the other waited for the second probe.
        assertEquals(List.of(200, 502), answers.stream().map(RawHttp.Response::status).sorted().toList(), answers.toString());
        assertTrue(answers.stream().anyMatch(a -> a.body().equals("recovered")), answers.toString());
        assertTrue(answers.stream().noneMatch(a -> "breaker_open".equals(a.header("x-gateway-error"))), answers.toString());
        assertEquals(3, primary.getRequestCount(), "only the probes reached the endpoint");
    }

    private RawHttp.Response sendUnchecked() {
        try {
            return send(GENERATE);
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    @Test
    void aRequestThatCannotWaitForTheProbeIsAnswered502InItsRoutesDialectAndKeepsItsConnection() throws Exception {
        openTheBreaker("timeouts: { total: 5s }\nbreaker: { failures: 1, window: 10s, openFor: 30s }");
        try (RawHttp raw = new RawHttp(gateway.port())) {
            RawHttp.Response tgi = raw.send(GENERATE).read();
            assertBreakerOpen(tgi);
            assertEquals("{\"error\":\"every endpoint's circuit breaker is open\",\"error_type\":\"breaker_open\","
                    + "\"layer\":\"gateway\"}", tgi.body());

            RawHttp.Response openAi = raw.send("POST /v1/chat/completions HTTP/1.1\r\nHost: g\r\n"
                    + "Content-Type: application/json\r\nContent-Length: 2\r\n\r\n{}").read();
            assertBreakerOpen(openAi);
            assertEquals("{\"error\":{\"message\":\"every endpoint's circuit breaker is open\",\"type\":\"breaker_open\","
                    + "\"code\":502,\"layer\":\"gateway\"}}", openAi.body());
            assertFalse(raw.closedByPeerWithin(200), "a refusal of a request read whole keeps its connection");
        }
        assertEquals(1, primary.getRequestCount());
    }

    private static void assertBreakerOpen(RawHttp.Response response) {
        assertEquals(502, response.status(), response.toString());
        assertEquals("breaker_open", response.header("x-gateway-error"));
        long retryAfter = Long.parseLong(response.header("retry-after"));
        assertTrue(retryAfter >= 29 && retryAfter <= 30, "Retry-After: " + retryAfter);
        assertEquals(null, response.header("connection"));
    }
}
