package io.infergate.server.http;

import java.util.List;
import io.infergate.server.testing.LogCapture;
import io.infergate.server.testing.PrometheusText;
import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.RawHttp;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ProxyPassThroughIT {

    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    @AutoClose
    private TestGateway gateway;


    private String upstreamUrl() {
        return "http://127.0.0.1:" + upstream.getPort();
    }

    private RecordedRequest taken() throws InterruptedException {
        RecordedRequest request = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertNotNull(request, "the upstream received no request");
        return request;
    }

    @ParameterizedTest
    @ValueSource(strings = {"GET", "POST", "PUT", "DELETE"})
    void statusHeadersAndBodyPassThroughUnchanged(String method) throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        upstream.enqueue(new MockResponse.Builder().code(201)
                .addHeader("Content-Type", "application/json")
                .addHeader("X-Custom", "kept")
                .body("{\"answer\":42}").build());
        HttpRequest.BodyPublisher body = method.equals("GET") || method.equals("DELETE")
                ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\"}");
        HttpResponse<String> response = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate?x=1"))
                .method(method, body).header("X-Client", "c1").header("Content-Type", "application/json").build());

        assertEquals(201, response.statusCode());
        assertEquals("{\"answer\":42}", response.body());
        assertEquals("kept", response.headers().firstValue("x-custom").orElseThrow());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        RecordedRequest seen = taken();
        assertEquals(method, seen.getMethod());
        assertEquals("/generate?x=1", seen.getTarget());
        assertEquals("c1", seen.getHeaders().get("X-Client"));
        String expectedBody = body.contentLength() > 0 ? "{\"inputs\":\"hi\"}" : "";
        assertEquals(expectedBody, seen.getBody() == null ? "" : seen.getBody().utf8());
    }

    @Test
    void hopByHopHeadersAreStrippedBothWays() throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        upstream.enqueue(new MockResponse.Builder()
                .addHeader("Keep-Alive", "timeout=5")
                .addHeader("Connection", "X-Upstream-Hop")
                .addHeader("X-Upstream-Hop", "secret")
                .addHeader("Proxy-Authenticate", "Basic")
                .addHeader("Upgrade", "h2c")
                .addHeader("X-End-To-End", "yes")
                .body("ok").build());
        try (RawHttp raw = new RawHttp(gateway.port())) {
            RawHttp.Response response = raw.send("""
                    GET /x HTTP/1.1\r
                    Host: gateway.example\r
                    Connection: keep-alive, X-Client-Hop\r
                    X-Client-Hop: private\r
                    Keep-Alive: timeout=9\r
                    TE: trailers\r
                    Trailer: X-Sum\r
                    Upgrade: websocket\r
                    Proxy-Authorization: Basic Zm9vOmJhcg==\r
                    Proxy-Connection: keep-alive\r
                    X-End-To-End: client\r
                    \r
                    """).read();
            assertEquals(200, response.status());
            assertEquals("yes", response.header("x-end-to-end"));
            for (String hop : new String[] {"keep-alive", "x-upstream-hop", "proxy-authenticate", "upgrade"}) {
                assertNull(response.header(hop), hop + " reached the client");
            }
        }
        RecordedRequest seen = taken();
        assertEquals("client", seen.getHeaders().get("X-End-To-End"));
        for (String hop : new String[] {"X-Client-Hop", "Keep-Alive", "TE", "Trailer", "Upgrade",
                "Proxy-Authorization", "Proxy-Connection"}) {
            assertNull(seen.getHeaders().get(hop), hop + " reached the upstream");
        }
        String connection = seen.getHeaders().get("Connection");
        assertTrue(connection == null || connection.equalsIgnoreCase("keep-alive"), "Connection: " + connection);
    }

    @Test
    void hostIsTheEndpointsAndForwardedHeadersDescribeTheClient() throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        upstream.enqueue(new MockResponse.Builder().body("ok").build());
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("GET /x HTTP/1.1\r\nHost: api.example.com\r\nX-Forwarded-For: 203.0.113.7\r\n\r\n").read();
        }
        RecordedRequest seen = taken();
        assertEquals("127.0.0.1:" + upstream.getPort(), seen.getHeaders().get("Host"));
        assertEquals("203.0.113.7, 127.0.0.1", seen.getHeaders().get("X-Forwarded-For"));
        assertEquals("http", seen.getHeaders().get("X-Forwarded-Proto"));
        assertEquals("api.example.com", seen.getHeaders().get("X-Forwarded-Host"));
    }

    @Test
    void requestIdIsPassedThroughOrGeneratedAndReturned() throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        upstream.enqueue(new MockResponse.Builder().body("a").build());
        upstream.enqueue(new MockResponse.Builder().body("b").build());

        HttpResponse<String> given = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/a"))
                .header("X-Request-Id", "req-123").build());
        assertEquals("req-123", given.headers().firstValue("x-request-id").orElseThrow());
        assertEquals("req-123", taken().getHeaders().get("X-Request-Id"));

        HttpResponse<String> generated = gateway.get("/b");
        String id = generated.headers().firstValue("x-request-id").orElseThrow();
        assertTrue(id.matches("[0-9a-f]{32}"), id);
        assertEquals(id, taken().getHeaders().get("X-Request-Id"));
    }

    @Test
    void upstreamAuthorizationComesFromTheEnvironmentAndReplacesTheClients() throws Exception {
        gateway = TestGateway.start("""
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams:
                      - name: primary
                        endpoints: [ "%s" ]
                        auth: { bearerEnv: HF_TOKEN }
                """.formatted(upstreamUrl()), Map.of("HF_TOKEN", "hf_secret"));
        upstream.enqueue(new MockResponse.Builder().body("ok").build());
        TestGateway.send(HttpRequest.newBuilder(gateway.uri("/x")).header("Authorization", "Bearer client-key").build());
        assertEquals("Bearer hf_secret", taken().getHeaders().get("Authorization"));
    }

    @Test
    void anEndpointRefusingTheGatewaysTokenIsUpstreamAuthLoggedOnceAndTheFallbackServes() throws Exception {
        try (MockWebServer fallback = new MockWebServer()) {
            fallback.start();
            gateway = TestGateway.start("""
                    routes:
                      - name: main
                        match: { pathPrefix: / }
                        upstreams:
                          - name: primary
                            endpoints: [ "%s" ]
                            auth: { bearerEnv: HF_TOKEN }
                          - name: small
                            endpoints: [ "http://127.0.0.1:%d" ]
                    """.formatted(upstreamUrl(), fallback.getPort()), Map.of("HF_TOKEN", "hf_wrong"));
            try (LogCapture logs = LogCapture.open()) {
                for (int i = 0; i < 3; i++) {
                    upstream.enqueue(new MockResponse.Builder().code(401).body("{\"error\":\"Invalid credentials\"}").build());
                    fallback.enqueue(new MockResponse.Builder().body("small").build());
                    HttpResponse<String> served = gateway.get("/x");
                    assertEquals(200, served.statusCode());
                    assertEquals("small", served.body());
                }
                List<LogCapture.Line> warned = logs.all().stream().filter(l -> l.logger().endsWith("EndpointProblems")).toList();
                assertEquals(1, warned.size(), "once per endpoint and change: " + warned);
                assertTrue(warned.get(0).text().contains("upstream_auth") && warned.get(0).text().contains("HF_TOKEN"));
                assertFalse(logs.all().stream().anyMatch(l -> l.text().contains("hf_wrong")), "the token is never logged");
            }
        }
    }

    @Test
    void anEndpointRefusingTheGatewaysTokenWithNoFallbackIsAnswered502UpstreamAuth() throws Exception {
        gateway = TestGateway.start("""
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams:
                      - name: primary
                        endpoints: [ "%s" ]
                        auth: { bearerEnv: HF_TOKEN }
                """.formatted(upstreamUrl()), Map.of("HF_TOKEN", "hf_wrong"));
        upstream.enqueue(new MockResponse.Builder().code(403).body("forbidden").build());
        HttpResponse<String> response = gateway.get("/x");
        assertEquals(502, response.statusCode());
        assertEquals("upstream_auth", response.headers().firstValue("x-gateway-error").orElseThrow());
        assertEquals(1, upstream.getRequestCount(), "not retried: the same token would be refused again");
    }

    @Test
    void aClientsOwnCredentialRefusedByTheEndpointIsTheClientsAnswer() throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        upstream.enqueue(new MockResponse.Builder().code(401).body("{\"error\":\"Invalid credentials\"}").build());
        HttpResponse<String> response = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/x"))
                .header("Authorization", "Bearer client-key").build());
        assertEquals(401, response.statusCode());
        assertTrue(response.headers().firstValue("x-gateway-error").isEmpty(), "passed through as the upstream said it");
    }

    @Test
    void clientAuthorizationIsForwardedWhenTheUpstreamHasNoAuth() throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        upstream.enqueue(new MockResponse.Builder().body("ok").build());
        TestGateway.send(HttpRequest.newBuilder(gateway.uri("/x")).header("Authorization", "Bearer client-key").build());
        assertEquals("Bearer client-key", taken().getHeaders().get("Authorization"));
    }

    @Test
    void longestPrefixWinsAndStripPrefixPutsTheEndpointBasePathInFront() throws Exception {
        gateway = TestGateway.start("""
                routes:
                  - name: everything
                    match: { pathPrefix: / }
                    upstreams: [ { name: a, endpoints: [ "%1$s/root" ] } ]
                  - name: llama
                    match: { pathPrefix: /llama/ }
                    stripPrefix: true
                    upstreams: [ { name: b, endpoints: [ "%1$s/models/llama/" ] } ]
                """.formatted(upstreamUrl()));
        upstream.enqueue(new MockResponse.Builder().body("1").build());
        upstream.enqueue(new MockResponse.Builder().body("2").build());
        gateway.get("/llama/generate?stream=false");
        assertEquals("/models/llama/generate?stream=false", taken().getTarget());
        gateway.get("/llama");
        assertEquals("/root/llama", taken().getTarget());
    }

    @Test
    void sequentialRequestsReuseOneUpstreamConnection() throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        int n = 20;
        for (int i = 0; i < n; i++) {
            upstream.enqueue(new MockResponse.Builder().body("r" + i).build());
        }
        for (int i = 0; i < n; i++) {
            HttpResponse<String> response = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/r" + i))
                    .POST(HttpRequest.BodyPublishers.ofString("body" + i)).build());
            assertEquals("r" + i, response.body());
        }
        int firstConnection = taken().getConnectionIndex();
        for (int i = 1; i < n; i++) {
            RecordedRequest seen = taken();
            assertEquals(firstConnection, seen.getConnectionIndex(), "request " + i + " opened a new upstream connection");
            assertEquals("body" + i, seen.getBody().utf8());
        }
    }

    @Test
    void unmatchedPathIsAnsweredNoRouteAndTheConnectionStaysUsable() throws Exception {
        gateway = TestGateway.start("""
                routes:
                  - name: llama
                    match: { pathPrefix: /llama/ }
                    upstreams: [ { name: a, endpoints: [ "%s" ] } ]
                """.formatted(upstreamUrl()));
        upstream.enqueue(new MockResponse.Builder().body("ok").build());
        try (RawHttp raw = new RawHttp(gateway.port())) {
            RawHttp.Response missing = raw.send("POST /other HTTP/1.1\r\nHost: g\r\nContent-Length: 5\r\n\r\nhello").read();
            assertEquals(404, missing.status());
            assertEquals("no_route", missing.header("x-gateway-error"));
            assertEquals("{\"error\":\"no route matches /other\",\"error_type\":\"no_route\",\"layer\":\"client\"}",
                    missing.body());
            RawHttp.Response found = raw.send("GET /llama/x HTTP/1.1\r\nHost: g\r\n\r\n").read();
            assertEquals(200, found.status());
            assertEquals("ok", found.body());
        }
        assertEquals(1, upstream.getRequestCount());
        PrometheusText metrics = new PrometheusText(gateway.admin("/metrics").body());
        assertEquals(1, metrics.sum(MeterNames.REQUESTS, Map.of("route", "none", "status", "404", "outcome", "no_route")),
                "a 404 the gateway made itself is counted like any other response");
    }

    @Test
    void pipelinedRequestsAreAnsweredInOrder() throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        upstream.enqueue(new MockResponse.Builder().body("first").build());
        upstream.enqueue(new MockResponse.Builder().body("second").build());
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("GET /1 HTTP/1.1\r\nHost: g\r\n\r\nGET /2 HTTP/1.1\r\nHost: g\r\n\r\n");
            assertEquals("first", raw.read().body());
            assertEquals("second", raw.read().body());
        }
    }

    @Test
    void headRequestGetsTheHeadersWithoutABody() throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        upstream.enqueue(new MockResponse.Builder().setHeader("Content-Length", "0").build());
        upstream.enqueue(new MockResponse.Builder().body("after").build());
        try (RawHttp raw = new RawHttp(gateway.port())) {
            RawHttp.Response head = raw.send("HEAD /x HTTP/1.1\r\nHost: g\r\n\r\n").read();
            assertEquals(200, head.status());
            assertFalse("chunked".equals(head.header("transfer-encoding")));
            assertEquals("after", raw.send("GET /y HTTP/1.1\r\nHost: g\r\n\r\n").read().body());
        }
    }

    @Test
    void http10ClientGetsABodyEndedByTheConnectionWhenTheLengthIsUnknown() throws Exception {
        gateway = TestGateway.oneRoute(upstreamUrl(), "");
        upstream.enqueue(new MockResponse.Builder().chunkedBody("streamed body", 4).build());
        upstream.enqueue(new MockResponse.Builder().body("sized").build());
        try (RawHttp raw = new RawHttp(gateway.port())) {
            RawHttp.Response response = raw.send("GET /x HTTP/1.0\r\n\r\n").read();
            assertEquals(200, response.status());
            assertNull(response.header("transfer-encoding"));
            assertEquals("close", response.header("connection"));
            assertEquals("streamed body", response.body());
        }
        try (RawHttp raw = new RawHttp(gateway.port())) {
            RawHttp.Response response = raw.send("GET /y HTTP/1.0\r\nConnection: keep-alive\r\n\r\n").read();
            assertEquals("sized", response.body());
            assertEquals("keep-alive", response.header("connection"));
            raw.socket().setSoTimeout(300);
            assertFalse(raw.closedByPeer(), "a kept-alive HTTP/1.0 connection was closed");
        }
    }
}
