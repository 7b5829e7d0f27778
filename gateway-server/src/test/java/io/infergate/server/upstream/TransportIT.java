package io.infergate.server.upstream;

import io.infergate.server.testing.LogCapture;
import io.infergate.server.testing.StreamingClient;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.UpstreamSim;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.uring.IoUring;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The relay on each transport {@code server.transport} can ask for: a small request, bodies larger
 * than a socket takes in one write, each way, and a token stream; or, where the platform lacks the
 * one asked for, a start refused with the reason.
 */
class TransportIT {

    private static final String STREAM_BODY = "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":5}}";
    // 2 MiB each way: more than a socket buffer, so reads and writes come in pieces on both hops.
    private static final String LARGE = "x".repeat(2 << 20);

    @ParameterizedTest
    @ValueSource(strings = {"io_uring", "epoll", "nio"})
    void relaysOnTheTransportAskedForOrRefusesToStartWithoutIt(String transport) throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().tokensPerSecond(500).start();
             MockWebServer bulk = new MockWebServer();
             LogCapture logs = LogCapture.open()) {
            bulk.start();
            String yaml = config("server: { port: 0, adminPort: 0, transport: " + transport + " }", sim, bulk);
            if (!available(transport)) {
                Transport.Unavailable refused = assertThrows(Transport.Unavailable.class, () -> TestGateway.start(yaml).close());
                assertTrue(refused.getMessage().startsWith("server.transport: " + transport + " is not available here ("),
                        refused.getMessage());
                return;
            }
            try (TestGateway gateway = TestGateway.start(yaml)) {
                assertTrue(startLine(logs).contains(", " + transport + " transport,"), startLine(logs));
                assertRelays(gateway, bulk);
            }
        }
    }

    @Test
    void leftOutTheBestThePlatformHasIsTaken() throws Exception {
        String best = IoUring.isAvailable() ? "io_uring" : Epoll.isAvailable() ? "epoll" : "nio";
        try (UpstreamSim sim = UpstreamSim.builder().tokensPerSecond(500).start();
             MockWebServer bulk = new MockWebServer();
             LogCapture logs = LogCapture.open()) {
            bulk.start();
            try (TestGateway gateway = TestGateway.start(config("", sim, bulk))) {
                assertTrue(startLine(logs).contains(", " + best + " transport,"), startLine(logs));
                assertRelays(gateway, bulk);
            }
        }
    }

    private static String config(String server, UpstreamSim sim, MockWebServer bulk) {
        return """
                %s
                routes:
                  - name: bulk
                    match: { pathPrefix: /bulk }
                    upstreams: [ { name: bulk, endpoints: [ "http://127.0.0.1:%d" ] } ]
                  - name: model
                    match: { pathPrefix: / }
                    upstreams: [ { name: model, endpoints: [ "%s" ] } ]
                """.formatted(server, bulk.getPort(), sim.url());
    }

    private static boolean available(String transport) {
        return switch (transport) {
            case "io_uring" -> IoUring.isAvailable();
            case "epoll" -> Epoll.isAvailable();
            default -> true;
        };
    }

    private static String startLine(LogCapture logs) {
        return logs.all().stream().map(LogCapture.Line::text).filter(t -> t.startsWith("Infergate listening"))
                .findFirst().orElseThrow(() -> new AssertionError("no start line in " + logs.all()));
    }

    private static void assertRelays(TestGateway gateway, MockWebServer bulk) throws Exception {
        HttpResponse<String> small = post(gateway, "/generate", STREAM_BODY);
        assertEquals(200, small.statusCode(), small.body());
        assertTrue(small.body().contains("generated_text"), small.body());

        bulk.enqueue(new MockResponse.Builder().body(LARGE.replace('x', 'y')).build());
        HttpResponse<String> big = post(gateway, "/bulk", LARGE);
        assertEquals(200, big.statusCode());
        assertEquals(LARGE.replace('x', 'y'), big.body());
        RecordedRequest received = bulk.takeRequest();
        assertEquals(LARGE, received.getBody().utf8());

        try (StreamingClient stream = StreamingClient.send(gateway.port(), StreamingClient.post("/generate_stream", STREAM_BODY))) {
            String events = stream.awaitEnd();
            assertEquals(200, stream.status());
            assertEquals(5, events.split("\"token\"", -1).length - 1, events);
            assertTrue(events.contains("\"generated_text\""), events);
        }
    }

    private static HttpResponse<String> post(TestGateway gateway, String path, String body) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build());
    }
}
