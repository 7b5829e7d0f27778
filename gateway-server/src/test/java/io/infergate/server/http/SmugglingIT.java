package io.infergate.server.http;

import io.infergate.server.testing.RawHttp;
import io.infergate.server.testing.RecordingUpstream;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Request smuggling, pipelining and key forwarding, on raw sockets, against two upstreams that
 * parse what they are sent: a strict raw parser that records every request, and MockWebServer.
 * Each upstream must see exactly as many requests as the gateway was sent and admitted.
 */
class SmugglingIT {

    /** A complete request, sent as a body: an upstream that loses the body's framing parses it as a second request. */
    private static final String SMUGGLED = "GET /vip/secret HTTP/1.1\r\nHost: g\r\n\r\n";
    private static final String ALICE_KEY = "alice-key-0123456789";
    private static final String BOB_KEY = "bob-key-0123456789ab";

    private RecordingUpstream recording;
    private MockWebServer mock;
    private TestGateway gateway;

    @AfterEach
    void stop() throws IOException {
        if (gateway != null) {
            gateway.close();
        }
        if (recording != null) {
            recording.close();
        }
        if (mock != null) {
            mock.close();
        }
    }

    /** The upstream kinds every vector runs against. */
    enum Kind { RAW, MOCKWEBSERVER }

    private String upstream(Kind kind) throws IOException {
        if (kind == Kind.RAW) {
            recording = new RecordingUpstream();
            return recording.url();
        }
        mock = new MockWebServer();
        mock.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body(request.getMethod() + " " + request.getTarget()).build();
            }
        });
        mock.start();
        return "http://127.0.0.1:" + mock.getPort();
    }

    private int upstreamRequests(Kind kind) {
        return kind == Kind.RAW ? recording.requests().size() : mock.getRequestCount();
    }

    private void startGateway(Kind kind) throws IOException {
        gateway = TestGateway.oneRoute(upstream(kind), "");
    }

    private static String post(String version, String extraHeaders, String body) {
        return "POST /r/x HTTP/" + version + "\r\nHost: g\r\n" + extraHeaders
                + "Content-Length: " + body.length() + "\r\n\r\n" + body;
    }

    static Stream<Arguments> connectionNamesAProtectedHeader() {
        String chunkedSmuggle = Integer.toHexString(SMUGGLED.length()) + "\r\n" + SMUGGLED + "\r\n0\r\n\r\n";
        return Stream.of(
                Arguments.of("Connection: Content-Length", post("1.1", "Connection: Content-Length\r\n", SMUGGLED)),
                Arguments.of("Connection: close, Content-Length", post("1.1", "Connection: close, Content-Length\r\n", SMUGGLED)),
                Arguments.of("Connection: keep-alive, content-length",
                        post("1.1", "Connection: keep-alive, content-length\r\n", SMUGGLED)),
                Arguments.of("Connection: CONTENT-LENGTH in capitals", post("1.1", "Connection: CONTENT-LENGTH\r\n", SMUGGLED)),
                Arguments.of("Connection with spaces around Content-Length",
                        post("1.1", "Connection:   keep-alive ,  Content-Length  \r\n", SMUGGLED)),
                Arguments.of("Content-Length named in a second Connection header",
                        post("1.1", "Connection: keep-alive\r\nConnection: Content-Length\r\n", SMUGGLED)),
                Arguments.of("HTTP/1.0 keep-alive naming Content-Length",
                        post("1.0", "Connection: keep-alive, Content-Length\r\n", SMUGGLED)),
                Arguments.of("HTTP/1.0 naming Content-Length", post("1.0", "Connection: Content-Length\r\n", SMUGGLED)),
                Arguments.of("Connection: Transfer-Encoding on a chunked body",
                        "POST /r/x HTTP/1.1\r\nHost: g\r\nConnection: Transfer-Encoding\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + chunkedSmuggle),
                Arguments.of("Connection: Host", post("1.1", "Connection: Host\r\n", SMUGGLED)),
                Arguments.of("Connection: Authorization", post("1.1", "Connection: Authorization\r\n", SMUGGLED)),
                Arguments.of("Connection: X-API-Key", post("1.1", "Connection: x-api-key\r\n", SMUGGLED)),
                Arguments.of("Connection: X-Request-Timeout", post("1.1", "Connection: X-Request-Timeout\r\n", SMUGGLED)),
                Arguments.of("HTTP/1.0 keep-alive with two Content-Lengths",
                        "POST /r/x HTTP/1.0\r\nHost: g\r\nConnection: keep-alive\r\nContent-Length: 5\r\nContent-Length: "
                                + (5 + SMUGGLED.length()) + "\r\n\r\nhello" + SMUGGLED),
                Arguments.of("HTTP/1.0 with two equal Content-Lengths",
                        "POST /r/x HTTP/1.0\r\nHost: g\r\nContent-Length: 5\r\nContent-Length: 5\r\n\r\nhello" + SMUGGLED),
                Arguments.of("HTTP/1.0 with a Content-Length list",
                        "POST /r/x HTTP/1.0\r\nHost: g\r\nContent-Length: 5, 5\r\n\r\nhello" + SMUGGLED),
                Arguments.of("HTTP/1.0 with Transfer-Encoding chunked",
                        "POST /r/x HTTP/1.0\r\nHost: g\r\nConnection: keep-alive\r\nTransfer-Encoding: chunked\r\n\r\n"
                                + chunkedSmuggle));
    }

    @ParameterizedTest(name = "{0}, {1}, is refused and reaches no upstream")
    @MethodSource("vectorsOnBothUpstreams")
    void smugglingVectorIsRefusedAndReachesNoUpstream(String vector, Kind kind, String raw) throws Exception {
        startGateway(kind);
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.send(raw).read();
            assertEquals(400, response.status(), vector);
            assertEquals("bad_request", response.header("x-gateway-error"), vector);
            assertEquals("close", response.header("connection"), vector);
            assertTrue(client.closedByPeer(), "connection left open after " + vector);
        }
        // One more request on a fresh connection, answered: the upstream has seen it and nothing before it.
        assertEquals(200, gateway.get("/r/after").statusCode());
        assertEquals(1, upstreamRequests(kind), vector + ": the upstream parsed more than the one later request");
    }

    static Stream<Arguments> vectorsOnBothUpstreams() {
        return connectionNamesAProtectedHeader().flatMap(vector -> Stream.of(Kind.values())
                .map(kind -> Arguments.of(vector.get()[0], kind, vector.get()[1])));
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("kinds")
    void connectionNamingAnOrdinaryHeaderDropsItAndFramesTheBodyByWhatIsSent(Kind kind) throws Exception {
        startGateway(kind);
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.send(post("1.1", "Connection: keep-alive, X-Hop\r\nX-Hop: 1\r\n", "hello")).read();
            assertEquals(200, response.status());
            assertFalse(client.closedByPeerWithin(200), "a keep-alive connection was closed");
        }
        assertEquals(1, upstreamRequests(kind));
        if (kind == Kind.RAW) {
            RecordingUpstream.Recorded seen = recording.requests().get(0);
            assertNull(seen.header("x-hop"), "a header the client named hop-by-hop went upstream");
            assertEquals("5", seen.header("content-length"));
            assertEquals("hello", seen.body());
        }
    }

    @ParameterizedTest(name = "on {0}")
    @MethodSource("kinds")
    void aChunkedBodyGoesUpFramedByItsLength(Kind kind) throws Exception {
        startGateway(kind);
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.send("POST /r/x HTTP/1.1\r\nHost: g\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "3\r\nhel\r\n2\r\nlo\r\n0\r\n\r\n").read();
            assertEquals(200, response.status());
        }
        assertEquals(1, upstreamRequests(kind));
        if (kind == Kind.RAW) {
            RecordingUpstream.Recorded seen = recording.requests().get(0);
            assertEquals("5", seen.header("content-length"));
            assertNull(seen.header("transfer-encoding"));
            assertEquals("hello", seen.body());
        }
    }

    static Stream<Kind> kinds() {
        return Stream.of(Kind.values());
    }

    @Test
    void threePipelinedGetsAreAnsweredInOrderOnAConnectionThatStaysOpen() throws Exception {
        startGateway(Kind.RAW);
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("GET /r/a HTTP/1.1\r\nHost: g\r\n\r\nGET /r/b HTTP/1.1\r\nHost: g\r\n\r\nGET /r/c HTTP/1.1\r\nHost: g\r\n\r\n");
            for (String path : List.of("/r/a", "/r/b", "/r/c")) {
                RawHttp.Response response = client.read();
                assertEquals(200, response.status());
                assertTrue(response.body().startsWith("GET " + path + " "), response.body());
                assertNull(response.header("connection"));
            }
            assertFalse(client.closedByPeerWithin(200), "the connection closed after pipelined requests");
        }
        assertEquals(3, recording.requests().size());
    }

    @Test
    void aPipelinedGetThenPostAreBothAnsweredWithThePostsBody() throws Exception {
        startGateway(Kind.RAW);
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("GET /r/a HTTP/1.1\r\nHost: g\r\n\r\n" + post("1.1", "", "payload"));
            RawHttp.Response first = client.read();
            RawHttp.Response second = client.read();
            assertTrue(first.body().startsWith("GET /r/a "), first.body());
            assertEquals(200, second.status());
            assertTrue(second.body().startsWith("POST /r/x ") && second.body().endsWith("\npayload"), second.body());
        }
        assertEquals(2, recording.requests().size());
    }

    @Test
    void twoPipelinedPostsAreBothAnsweredInOrder() throws Exception {
        startGateway(Kind.RAW);
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send(post("1.1", "", "first") + post("1.1", "", "second"));
            assertTrue(client.read().body().endsWith("\nfirst"));
            assertTrue(client.read().body().endsWith("\nsecond"));
        }
        assertEquals(List.of("first", "second"), recording.requests().stream().map(RecordingUpstream.Recorded::body).toList());
    }

    @Test
    void http10KeepAliveIsKeptOnlyWhenAskedFor() throws Exception {
        startGateway(Kind.RAW);
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.send("GET /r/a HTTP/1.0\r\nHost: g\r\nConnection: keep-alive\r\n\r\n").read();
            assertEquals("keep-alive", response.header("connection"));
            assertNotNull(response.header("content-length"));
            assertEquals(200, client.send("GET /r/b HTTP/1.0\r\nHost: g\r\n\r\n").read().status());
            assertTrue(client.closedByPeer(), "an HTTP/1.0 request without keep-alive left its connection open");
        }
        assertEquals(2, recording.requests().size());
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    static Stream<Arguments> keyCarriers() {
        return Stream.of(
                Arguments.of("X-API-Key and Authorization both alice's",
                        "X-API-Key: " + ALICE_KEY + "\r\nAuthorization: Bearer " + ALICE_KEY + "\r\n"),
                Arguments.of("X-API-Key bob's, Authorization alice's",
                        "X-API-Key: " + BOB_KEY + "\r\nAuthorization: Bearer " + ALICE_KEY + "\r\n"),
                Arguments.of("Authorization bob's, another header alice's",
                        "Authorization: Bearer " + BOB_KEY + "\r\nX-Other-Key: " + ALICE_KEY + "\r\n"),
                Arguments.of("alice's key under another scheme",
                        "X-API-Key: " + BOB_KEY + "\r\nAuthorization: Token " + ALICE_KEY + "\r\n"));
    }

    @ParameterizedTest(name = "{0}: no key leaves the gateway")
    @MethodSource("keyCarriers")
    void noTenantKeyLeavesTheGatewayWhicheverHeaderCarriesIt(String what, String headers) throws Exception {
        recording = new RecordingUpstream();
        gateway = TestGateway.start("""
                auth: { required: true }
                tenants:
                  - { name: alice, keySha256: "%s" }
                  - { name: bob, keySha256: "%s" }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "%s" ] } ]
                """.formatted(sha256(ALICE_KEY), sha256(BOB_KEY), recording.url()));
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response response = client.send("GET /r/x HTTP/1.1\r\nHost: g\r\n" + headers + "\r\n").read();
            assertEquals(200, response.status(), what);
        }
        assertEquals(1, recording.requests().size());
        String head = recording.requests().get(0).head();
        assertFalse(head.contains(ALICE_KEY) || head.contains(BOB_KEY), what + ": a key went upstream:\n" + head);
    }

    @Test
    void aRefusalOfARequestReadWholeKeepsTheConnectionForTheNext() throws Exception {
        recording = new RecordingUpstream();
        gateway = TestGateway.start("""
                auth: { required: true }
                tenants:
                  - { name: alice, keySha256: "%s" }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "%s" ] } ]
                """.formatted(sha256(ALICE_KEY), recording.url()));
        try (RawHttp client = new RawHttp(gateway.port())) {
            RawHttp.Response refused = client.send(post("1.1", "", "{\"inputs\":\"hi\"}")).read();
            assertEquals(401, refused.status());
            assertNull(refused.header("connection"), "the request was read whole: nothing to distrust");
            RawHttp.Response served = client.send("GET /r/x HTTP/1.1\r\nHost: g\r\nX-API-Key: " + ALICE_KEY + "\r\n\r\n").read();
            assertEquals(200, served.status());
        }
        assertEquals(1, recording.requests().size());
    }

    @Test
    void aClientsOwnUpstreamCredentialThatIsNoTenantKeyPasses() throws Exception {
        recording = new RecordingUpstream();
        gateway = TestGateway.start("""
                tenants:
                  - { name: alice, keySha256: "%s" }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "%s" ] } ]
                """.formatted(sha256(ALICE_KEY), recording.url()));
        try (RawHttp client = new RawHttp(gateway.port())) {
            client.send("GET /r/x HTTP/1.1\r\nHost: g\r\nX-API-Key: " + ALICE_KEY + "\r\nAuthorization: Bearer hf_own\r\n\r\n").read();
        }
        assertEquals("Bearer hf_own", recording.requests().get(0).header("authorization"));
    }
}
