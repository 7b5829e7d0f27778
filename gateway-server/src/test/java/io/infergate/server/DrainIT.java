package io.infergate.server;

import io.infergate.testing.Await;
import io.infergate.server.testing.PrometheusText;
import io.infergate.server.testing.ScriptedUpstream;
import io.infergate.server.testing.StreamingClient;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DrainIT {

    private static final String TGI_BODY = "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":3}}";
    private static final String CHAT_BODY = "{\"model\":\"tgi\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    @AutoClose
    private final ScriptedUpstream scripted = new ScriptedUpstream();
    @AutoClose
    private TestGateway gateway;
    @AutoClose
    private StreamingClient tgiStream;
    @AutoClose
    private StreamingClient openAiStream;
    @AutoClose
    private StreamingClient earlyStream;
    @AutoClose
    private StreamingClient plain;

    DrainIT() throws IOException {
    }

    private void gatewayToMockUpstream() {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(), "");
    }

    @Test
    void drainStopsAcceptingTurnsNotReadyAndLetsInFlightRequestsFinish() throws Exception {
        gatewayToMockUpstream();
        upstream.enqueue(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body("done").build());
        CompletableFuture<HttpResponse<String>> inFlight = TestGateway.client().sendAsync(
                HttpRequest.newBuilder(gateway.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
        Await.until("the upstream has the request", Duration.ofSeconds(5), () -> upstream.getRequestCount() == 1);
        assertEquals(200, gateway.admin("/readyz").statusCode());

        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return gateway.server().drain(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("readyz answers 503", Duration.ofSeconds(5), () -> readyStatus() == 503);
        Await.until("the proxy port refuses connections", Duration.ofSeconds(5), this::proxyPortRefuses);

        HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertEquals("done", response.body());
        assertTrue(drained.get(10, TimeUnit.SECONDS), "drain reported requests cut");
    }

    @Test
    void duringTheShutdownDelayReadinessFailsWhileNewRequestsAreStillServed() throws Exception {
        gatewayToMockUpstream();
        CompletableFuture<Boolean> shutDown = CompletableFuture.supplyAsync(() -> {
            try {
                return gateway.server().shutdown(Duration.ofSeconds(2), Duration.ofSeconds(5));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("readyz answers 503 at once", Duration.ofSeconds(5), () -> readyStatus() == 503);
        assertFalse(proxyPortRefuses(), "the listener still takes connections while the load balancer catches up");
        upstream.enqueue(new MockResponse.Builder().body("still served").build());
        HttpResponse<String> late = gateway.get("/late");
        assertEquals(200, late.statusCode());
        assertEquals("still served", late.body());
        assertFalse(shutDown.isDone(), "the drain waits for the delay");

        assertTrue(shutDown.get(10, TimeUnit.SECONDS));
        assertTrue(proxyPortRefuses(), "after the delay, the drain closed the listener");
    }

    @Test
    void drainTimeoutCutsWhatIsStillInFlight() throws Exception {
        gatewayToMockUpstream();
        upstream.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        CompletableFuture<HttpResponse<String>> inFlight = TestGateway.client().sendAsync(
                HttpRequest.newBuilder(gateway.uri("/stuck")).build(), HttpResponse.BodyHandlers.ofString());
        Await.until("the upstream has the request", Duration.ofSeconds(5), () -> upstream.getRequestCount() == 1);

        assertFalse(gateway.server().drain(Duration.ofMillis(300)));
        ExecutionException cut = assertThrows(ExecutionException.class, () -> inFlight.get(5, TimeUnit.SECONDS));
        assertTrue(cut.getCause() instanceof IOException, cut.toString());
    }

    @Test
    void streamsStillOpenAtTheDrainTimeoutEndWithAShutdownEventInTheirOwnDialect() throws Exception {
        gateway = TestGateway.oneRoute(scripted.url(), "heartbeat: { earlyHeaders: true }");
        tgiStream = StreamingClient.send(gateway.port(), StreamingClient.post("/generate_stream", TGI_BODY));
        scripted.awaitExchange().respondStreaming(200, "text/event-stream").chunk("data: {\"index\":1}\n\n");
        tgiStream.awaitHead().awaitBody("the first event", b -> b.endsWith("data: {\"index\":1}\n\n"));
        openAiStream = StreamingClient.send(gateway.port(), StreamingClient.post("/v1/chat/completions", CHAT_BODY));
        scripted.awaitExchange().respondStreaming(200, "text/event-stream").chunk("data: {\"choices\":[]}\n\ndata: {\"cho");
        openAiStream.awaitHead().awaitBody("half an event", b -> b.endsWith("{\"cho"));
        // With early headers, a stream whose upstream never answers is a stream too.
        earlyStream = StreamingClient.send(gateway.port(), StreamingClient.post("/generate_stream", TGI_BODY));
        scripted.awaitExchange();
        earlyStream.awaitHead();
        plain = StreamingClient.send(gateway.port(), "GET /plain HTTP/1.1\r\nHost: gateway\r\n\r\n");
        scripted.awaitExchange().respondStreaming(200, "text/plain").chunk("part of a body");
        plain.awaitHead().awaitBody("part of the body", "part of a body"::equals);

        assertFalse(gateway.server().drain(Duration.ofMillis(300)));

        String shutdown = "data: {\"error\":\"the gateway is shutting down\",\"error_type\":\"shutdown\"}\n\n";
        assertEquals("data: {\"index\":1}\n\n" + shutdown, tgiStream.awaitEnd());
        assertEquals("data: {\"choices\":[]}\n\ndata: {\"cho\n\ndata: {\"error\":{\"message\":\"the gateway is shutting down\","
                + "\"type\":\"shutdown\",\"code\":503}}\n\ndata: [DONE]\n\n", openAiStream.awaitEnd());
        assertEquals(shutdown, earlyStream.awaitEnd().replace(": keep-alive\n\n", ""));
        assertTrue(plain.wasCut(), "a plain response in flight is cut, as before: " + plain.body());
        assertEquals(3, new PrometheusText(gateway.server().registry().scrape()).value("gateway_requests_total",
                Map.of("route", "main", "status", "200", "outcome", "shutdown")));
    }

    private boolean proxyPortRefuses() {
        try (Socket probe = new Socket("127.0.0.1", gateway.port())) {
            return false;
        } catch (IOException refused) {
            return true;
        }
    }

    private int readyStatus() {
        try {
            return gateway.admin("/readyz").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
