package io.infergate.server.http;

import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.PrometheusText;
import io.infergate.server.testing.RawHttp;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.time.Duration;
import java.util.Map;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Malformed and smuggling-shaped requests, sent as raw bytes: refused, connection closed, upstream untouched. */
class GuardsIT {

    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    @AutoClose
    private TestGateway gateway;

    @BeforeEach
    void start() {
        for (int i = 0; i < 4; i++) {
            upstream.enqueue(new MockResponse.Builder().body("should not be reached").build());
        }
        gateway = TestGateway.start("""
                server: { port: 0, adminPort: 0, maxBodyBytes: 1024, maxHeaderBytes: 2048, headerTimeout: 300ms, idleTimeout: 400ms }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:%d" ] } ]
                """.formatted(upstream.getPort()));
    }

    static Stream<Arguments> refusedRequests() {
        return Stream.of(
                Arguments.of("both Content-Length and Transfer-Encoding", 400,
                        "POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("differing Content-Lengths", 400,
                        "POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\nhello!"),
                Arguments.of("a Transfer-Encoding other than chunked", 400,
                        "POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: gzip\r\n\r\nhello"),
                Arguments.of("chunked that is not the final coding", 400,
                        "POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked, identity\r\n\r\n5\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("an invalid chunk size", 400,
                        "POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\nhello\r\n0\r\n\r\n"),
                Arguments.of("a bare CR inside a header value", 400,
                        "GET /x HTTP/1.1\r\nHost: g\r\nX-Evil: a\rb\r\n\r\n"),
                Arguments.of("a body over maxBodyBytes", 413,
                        "POST /x HTTP/1.1\r\nHost: g\r\nContent-Length: 4096\r\n\r\n"),
                Arguments.of("headers over maxHeaderBytes", 431,
                        "GET /x HTTP/1.1\r\nHost: g\r\nX-Big: " + "a".repeat(4096) + "\r\n\r\n"),
                Arguments.of("a request target that is not a path", 400,
                        "GET x HTTP/1.1\r\nHost: g\r\n\r\n"));
    }

    @ParameterizedTest(name = "{0} is refused with {1}")
    @MethodSource("refusedRequests")
    void refusedAndClosedWithNothingForwarded(String what, int status, String raw) throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.send(raw).read();
            assertEquals(status, response.status(), what);
            assertTrue(response.header("x-gateway-error") != null, what);
            assertTrue(client.closedByPeer(), "connection left open after " + what);
        }
        assertEquals(0, upstream.getRequestCount(), what + " reached the upstream");
    }

    @Test
    void refusalsTheGatewayMakesBeforeARouteAreCountedLikeEveryOtherResponse() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(400, client.send("GET x HTTP/1.1\r\nHost: g\r\n\r\n").read().status());
        }
        try (RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(408, client.send("GET /x HTTP/1.1\r\nHost: g\r\n").read().status());
        }
        try (RawHttp client = new RawHttp(gateway.port())) {
            assertEquals(400, client.send("POST /x HTTP/1.1\r\nHost: g\r\nConnection: Content-Length\r\n"
                    + "Content-Length: 2\r\n\r\n{}").read().status());
        }
        PrometheusText metrics = new PrometheusText(gateway.admin("/metrics").body());
        assertEquals(2, metrics.sum(MeterNames.REQUESTS, Map.of("route", "none", "status", "400", "outcome", "bad_request")));
        assertEquals(1, metrics.sum(MeterNames.REQUESTS, Map.of("route", "none", "status", "408", "outcome", "request_timeout")));
        assertEquals(3, metrics.sum(MeterNames.REQUEST_DURATION + "_count", Map.of("route", "none", "upstream", "none")));
    }

    @Test
    void oversizedChunkedBodyIsRefusedWhileStreaming() throws Exception {
        String chunk = "400\r\n" + "a".repeat(1024) + "\r\n";
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.send("POST /x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + chunk + chunk).read();
            assertEquals(413, response.status());
            assertEquals("payload_too_large", response.header("x-gateway-error"));
            assertTrue(client.closedByPeer());
        }
    }

    @Test
    void slowRequestHeadIsAnswered408() throws Exception {
        try (RawHttp client = new RawHttp(gateway.port())) {
            long start = System.nanoTime();
            RawHttp.Response response = client.send("GET /x HTTP/1.1\r\nHost: g\r\n").read();
            long tookMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertEquals(408, response.status());
            assertEquals("request_timeout", response.header("x-gateway-error"));
            assertTrue(tookMillis >= 250, "answered after " + tookMillis + " ms");
            assertTrue(client.closedByPeer());
        }
        assertEquals(0, upstream.getRequestCount());
    }

    @Test
    void idleConnectionIsClosed() throws IOException {
        try (RawHttp client = new RawHttp(gateway.port())) {
            long start = System.nanoTime();
            assertTrue(client.closedByPeer(), "idle connection not closed");
            long tookMillis = Duration.ofNanos(System.nanoTime() - start).toMillis();
            assertTrue(tookMillis >= 350, "closed after " + tookMillis + " ms");
        }
    }
}
