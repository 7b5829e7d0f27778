package io.infergate.server.status;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The admin port's status page, its JSON and its live feed, over real sockets. */
class StatusPageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String TOKEN = "hf_upstream_token_never_shown";
    private static final String KEY = "tenant-key-never-shown-01";

    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    @AutoClose
    private TestGateway gateway;

    @BeforeEach
    void start() throws Exception {
        String sha = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(KEY.getBytes(StandardCharsets.UTF_8)));
        gateway = TestGateway.start("""
                tenants:
                  - { name: acme, keySha256: "%s" }
                routes:
                  - name: chat
                    match: { pathPrefix: /generate }
                    retry: { attempts: 1 }
                    upstreams:
                      - name: model
                        endpoints: [ "%s" ]
                        auth: { bearerEnv: HF_TOKEN }
                """.formatted(sha, upstream.url("/")), Map.of("HF_TOKEN", TOKEN));
    }

    private HttpResponse<String> post(String requestId) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate")).header("X-Request-Id", requestId)
                .header("X-API-Key", KEY).POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\"}")).build());
    }

    private JsonNode status() throws Exception {
        return JSON.readTree(gateway.admin("/status.json").body());
    }

    @Test
    void thePageIsServedWholeFromTheAdminPort() throws Exception {
        for (String path : List.of("/", "/status")) {
            HttpResponse<String> page = gateway.admin(path);
            assertEquals(200, page.statusCode());
            assertEquals("text/html; charset=utf-8", page.headers().firstValue("Content-Type").orElseThrow());
            assertTrue(page.body().contains("new EventSource(\"status/events\")"), "it listens to its feed");
            assertFalse(page.body().matches("(?s).*(src|href)=\"(https?:)?//.*"), "nothing loaded from elsewhere");
        }
    }

    @Test
    void eachRouteCountsItsRequestsAndTheErrorsNameTheirRequestIds() throws Exception {
        upstream.enqueue(new MockResponse.Builder().body("ok").build());
        upstream.enqueue(new MockResponse.Builder().code(500).body("{\"error\":\"boom\"}").build());
        assertEquals(200, post("status-ok-0000001").statusCode());
        assertEquals(500, post("status-fail-000001").statusCode());
        assertEquals(404, TestGateway.send(HttpRequest.newBuilder(gateway.uri("/nothing"))
                .header("X-Request-Id", "status-no-route-01").build()).statusCode());

        // An exchange is counted once its response is written, which may be just after the client read it.
        Await.untilHolds("all three are counted", Duration.ofSeconds(5), () -> {
            JsonNode counted = status();
            return counted.get("errors").size() == 2 && counted.at("/routes/0/windows/1m/requests").asInt() == 2;
        });
        JsonNode status = status();
        JsonNode chat = status.at("/routes/0");
        assertEquals("chat", chat.get("name").asText());
        assertEquals(2, chat.at("/windows/1m/requests").asInt(), "the 404 had no route");
        assertTrue(chat.at("/windows/1m/p99").asDouble() > 0);
        JsonNode upstreamError = error(status, "status-fail-000001");
        assertEquals(500, upstreamError.get("status").asInt());
        assertEquals("model", upstreamError.get("upstream").asText());
        JsonNode noRoute = error(status, "status-no-route-01");
        assertEquals("no_route", noRoute.get("cause").asText());
        assertEquals(404, noRoute.get("status").asInt());
        assertEquals("closed", status.at("/endpoints/0/breaker/state").asText());
        assertEquals(0, status.at("/jobs/queued").asInt());

        String everything = status.toString() + gateway.admin("/").body();
        assertFalse(everything.contains(TOKEN), "no upstream token");
        assertFalse(everything.contains(KEY), "no tenant key");
    }

    @Test
    void theFeedSendsASnapshotAtOnceAndThenEverySecondToEveryPage() throws Exception {
        List<Socket> pages = new ArrayList<>();
        List<BufferedReader> readers = new ArrayList<>();
        try {
            for (int i = 0; i < 100; i++) {
                Socket page = new Socket("127.0.0.1", gateway.server().adminPort());
                page.setSoTimeout(10_000);
                page.getOutputStream().write("GET /status/events HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
                pages.add(page);
                readers.add(new BufferedReader(new InputStreamReader(page.getInputStream(), StandardCharsets.UTF_8)));
            }
            for (BufferedReader reader : readers) {
                assertEquals("HTTP/1.1 200 OK", reader.readLine());
                assertEquals(2, events(reader, 2), "a snapshot at once, another a second later");
            }
            upstream.enqueue(new MockResponse.Builder().body("ok").build());
            assertEquals(200, post("status-while-watched").statusCode(), "requests go on while 100 pages watch");
        } finally {
            for (Socket page : pages) {
                page.close();
            }
        }
    }

    private static JsonNode error(JsonNode status, String requestId) {
        for (JsonNode error : status.get("errors")) {
            if (error.get("requestId").asText().equals(requestId)) {
                return error;
            }
        }
        throw new AssertionError("no error names " + requestId + ": " + status);
    }

    /** Reads until {@code wanted} events came; each is a {@code data:} line holding a whole snapshot. */
    private static int events(BufferedReader reader, int wanted) throws Exception {
        int seen = 0;
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (seen < wanted && System.nanoTime() < deadline) {
            String line = reader.readLine();
            int data = line.indexOf("data: ");
            if (data >= 0) {
                JsonNode snapshot = JSON.readTree(line.substring(data + "data: ".length()));
                assertTrue(snapshot.has("routes") && snapshot.has("endpoints"), line);
                seen++;
            }
        }
        return seen;
    }
}
