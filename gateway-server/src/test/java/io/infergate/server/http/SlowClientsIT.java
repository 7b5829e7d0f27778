package io.infergate.server.http;

import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.BulkUpstream;
import io.infergate.server.testing.PrometheusText;
import io.infergate.server.testing.RawHttp;
import io.infergate.server.testing.RecordingUpstream;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * A client's slowness is the client's: slow senders and slow readers are cut at their own limits
 * with a client-side cause, and never open a healthy endpoint's breaker or starve other clients.
 */
class SlowClientsIT {

    private static final int SLOW_SENDERS = 6;

    private final ExecutorService attackers = Executors.newCachedThreadPool();
    @AutoClose
    private TestGateway gateway;

    @AfterEach
    void stopAttackers() {
        attackers.shutdownNow();
    }

    /** Sends a request head promising 100 bytes, then one byte every 100 ms until the gateway answers. */
    private static CompletableFuture<RawHttp.Response> trickleBody(int port, ExecutorService executor) {
        return CompletableFuture.supplyAsync(() -> {
            try (RawHttp client = new RawHttp(port)) {
                OutputStream out = client.socket().getOutputStream();
                out.write("POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 100\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                for (int i = 0; i < 99; i++) { // one byte short of the promise, at most
                    out.write('a');
                    out.flush();
                    if (client.socket().getInputStream().available() > 0) {
                        break; // answered
                    }
                    LockSupport.parkNanos(Duration.ofMillis(100).toNanos());
                }
                return client.read();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }, executor);
    }

    @Test
    void aClientsOwnShortDeadlineNeverOpensTheBreakerOfASlowButHealthyEndpoint() throws Exception {
        try (MockWebServer upstream = new MockWebServer()) {
            upstream.start();
            gateway = TestGateway.start("""
                    routes:
                      - name: main
                        match: { pathPrefix: / }
                        breaker: { failures: 1, window: 30s, openFor: 30s }
                        retry: { attempts: 1 }
                        upstreams: [ { name: primary, endpoints: [ "%s" ] } ]
                    """.formatted(upstream.url("/")));
            for (int i = 0; i < 3; i++) {
                upstream.enqueue(new MockResponse.Builder().headersDelay(1500, TimeUnit.MILLISECONDS).body("late").build());
                HttpResponse<String> impatient = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/x"))
                        .header("X-Request-Timeout", "0.3").build());
                assertEquals(504, impatient.statusCode());
                assertEquals("deadline_exceeded", impatient.headers().firstValue("X-Gateway-Error").orElseThrow());
            }
            PrometheusText metrics = new PrometheusText(gateway.admin("/metrics").body());
            assertEquals(0, metrics.sum(MeterNames.BREAKER_STATE, Map.of()), "the breaker stays closed");
            upstream.enqueue(new MockResponse.Builder().body("in time").build());
            assertEquals("in time", gateway.get("/y").body(), "a patient client is served");
        }
    }

    @Test
    void slowSendersAreCutAsClientTimeoutsWhileTheBreakerStaysClosedAndOthersAreServed() throws Exception {
        try (RecordingUpstream upstream = new RecordingUpstream()) {
            gateway = TestGateway.start("""
                    server: { port: 0, adminPort: 0, bodyTimeout: 3s }
                    routes:
                      - name: main
                        match: { pathPrefix: / }
                        breaker: { failures: 2, window: 30s, openFor: 30s }
                        admission: { maxInFlightPerEndpoint: 2 }
                        upstreams: [ { name: primary, endpoints: [ "%s" ] } ]
                    """.formatted(upstream.url()));
            List<CompletableFuture<RawHttp.Response>> slow = new ArrayList<>();
            for (int i = 0; i < SLOW_SENDERS; i++) {
                slow.add(trickleBody(gateway.port(), attackers));
            }
            // While they trickle, normal clients are served at once: the slow ones hold no slot.
            for (int i = 0; i < 10; i++) {
                HttpResponse<String> normal = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/n" + i))
                        .POST(java.net.http.HttpRequest.BodyPublishers.ofString("{}")).timeout(Duration.ofSeconds(5)).build());
                assertEquals(200, normal.statusCode());
            }
            assertTrue(slow.stream().noneMatch(CompletableFuture::isDone), "a slow sender was answered too soon");
            for (CompletableFuture<RawHttp.Response> sender : slow) {
                RawHttp.Response cut = sender.get(10, TimeUnit.SECONDS);
                assertEquals(408, cut.status());
                assertEquals("client_timeout", cut.header("x-gateway-error"));
                assertTrue(cut.body().contains("\"layer\":\"client\""), cut.body());
            }
            assertEquals(10, upstream.requests().size(), "a slow sender's request reached the upstream");
            assertBreakerClosed();
            assertEquals(200, gateway.get("/after").statusCode());
        }
    }

    @Test
    void aReaderThatStopsIsCutAtItsWriteTimeoutFreeingItsSlotWithoutBlamingTheEndpoint() throws Exception {
        long size = 32L * 1024 * 1024;
        try (BulkUpstream upstream = new BulkUpstream(size)) {
            gateway = TestGateway.start("""
                    server: { port: 0, adminPort: 0, writeTimeout: 300ms }
                    routes:
                      - name: main
                        match: { pathPrefix: / }
                        timeouts: { streamIdle: 60s }
                        breaker: { failures: 1, window: 30s, openFor: 30s }
                        admission: { maxInFlightPerEndpoint: 1, maxQueueWait: 60s }
                        upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:%d" ] } ]
                    """.formatted(upstream.port()));
            try (Socket reader = new Socket()) {
                reader.setReceiveBufferSize(16 * 1024);
                reader.connect(new java.net.InetSocketAddress("127.0.0.1", gateway.port()));
                reader.getOutputStream().write("GET /bulk HTTP/1.1\r\nHost: g\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                // It reads nothing. The one slot is held until the reader is cut; a normal client gets its
                // whole answer long before the upstream's idle clock could have ended the stall.
                HttpResponse<byte[]> normal = TestGateway.client().send(HttpRequest.newBuilder(gateway.uri("/n"))
                        .timeout(Duration.ofSeconds(15)).build(), HttpResponse.BodyHandlers.ofByteArray());
                assertEquals(200, normal.statusCode());
                assertEquals(size, normal.body().length);

                // Whichever of the two was admitted first, the reader is cut once it has stalled long enough.
                PrometheusText metrics = awaitCounted("client_write_timeout");
                assertEquals(0, metrics.sum(MeterNames.REQUESTS, Map.of("outcome", "stream_idle_timeout")));
                reader.setSoTimeout(10_000);
                InputStream in = reader.getInputStream();
                long received = 0;
                byte[] buffer = new byte[64 * 1024];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    received += n;
                }
                assertTrue(received < size, "the stalled reader got its whole answer: it was never cut");
            }
            assertBreakerClosed();
        }
    }

    private PrometheusText awaitCounted(String outcome) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (true) {
            PrometheusText metrics = new PrometheusText(gateway.admin("/metrics").body());
            if (metrics.sum(MeterNames.REQUESTS, Map.of("outcome", outcome)) == 1) {
                return metrics;
            }
            if (System.nanoTime() > deadline) {
                throw new AssertionError("no request counted with outcome " + outcome);
            }
            LockSupport.parkNanos(Duration.ofMillis(20).toNanos());
        }
    }

    private void assertBreakerClosed() throws Exception {
        PrometheusText metrics = new PrometheusText(gateway.admin("/metrics").body());
        assertEquals(0, metrics.sum(MeterNames.BREAKER_STATE, Map.of()), "an endpoint's breaker left closed");
        String upstreams = gateway.admin("/admin/upstreams").body();
        assertTrue(upstreams.replaceAll("\\s", "").contains("\"state\":\"closed\""), upstreams);
    }
}
