package io.infergate.server.http;

import io.infergate.server.testing.RawHttp;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Each clock of an exchange fails with its own cause, status and layer. */
class TimeoutsIT {

    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    @AutoClose
    private TestGateway gateway;


    private static void assertGatewayError(HttpResponse<String> response, int status, String cause, String layer) {
        assertEquals(status, response.statusCode(), response.body());
        assertEquals(cause, response.headers().firstValue("x-gateway-error").orElseThrow());
        assertTrue(response.body().contains("\"error_type\":\"" + cause + "\""), response.body());
        assertTrue(response.body().contains("\"layer\":\"" + layer + "\""), response.body());
        assertTrue(response.headers().firstValue("x-request-id").isPresent());
    }

    @Test
    void closedPortIsConnectFailed() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + closedPort, "");
        assertGatewayError(gateway.get("/x"), 502, "connect_failed", "upstream");
    }

    @Test
    void tlsHandshakeThatNeverCompletesIsConnectTimeout() throws Exception {
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
            List<Socket> accepted = new ArrayList<>();
            Thread acceptor = new Thread(() -> {
                try {
                    while (true) {
                        accepted.add(silent.accept()); // accepted, never answered
                    }
                } catch (IOException closed) {
                    // the test is over
                }
            });
            acceptor.start();
            gateway = TestGateway.oneRoute("https://127.0.0.1:" + silent.getLocalPort(),
                    "timeouts: { connect: 300ms }");
            long start = System.nanoTime();
            assertGatewayError(gateway.get("/x"), 502, "connect_timeout", "upstream");
            Duration took = Duration.ofNanos(System.nanoTime() - start);
            assertTrue(took.toMillis() >= 250 && took.toMillis() < 5000, "took " + took);
        }
    }

    @Test
    void upstreamThatSendsNoHeadIsFirstByteTimeout() throws Exception {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(), "timeouts: { firstByte: 300ms }");
        upstream.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        assertGatewayError(gateway.get("/x"), 504, "first_byte_timeout", "upstream");
    }

    @Test
    void totalDeadlineShorterThanFirstByteIsDeadlineExceeded() throws Exception {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(),
                "timeouts: { firstByte: 10s, total: 300ms }");
        upstream.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        assertGatewayError(gateway.get("/x"), 504, "deadline_exceeded", "gateway");
    }

    @Test
    void upstreamClosingBeforeTheHeadIsUpstreamReset() throws Exception {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(), "retry: { attempts: 1 }");
        upstream.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
        assertGatewayError(gateway.get("/x"), 502, "upstream_reset", "upstream");
    }

    @Test
    void silenceMidBodyLongerThanStreamIdleCutsTheResponseShort() throws Exception {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(), "timeouts: { streamIdle: 300ms }");
        upstream.enqueue(new MockResponse.Builder()
                .chunkedBody("first part of a body that never ends", 8)
                .onResponseBody(SocketEffect.Stall.INSTANCE).build());
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("GET /x HTTP/1.1\r\nHost: g\r\n\r\n");
            long start = System.nanoTime();
            IOException cut = assertThrows(IOException.class, raw::read);
            long tookMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(tookMillis >= 250 && tookMillis < 5000, "cut after " + tookMillis + " ms: " + cut);
        }
    }

    @Test
    void deadlineMidBodyCutsTheResponseShort() throws Exception {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(),
                "timeouts: { streamIdle: 10s, total: 400ms }");
        upstream.enqueue(new MockResponse.Builder()
                .chunkedBody("a body that stalls", 4)
                .onResponseBody(SocketEffect.Stall.INSTANCE).build());
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("GET /x HTTP/1.1\r\nHost: g\r\n\r\n");
            assertThrows(IOException.class, raw::read);
        }
    }
}
