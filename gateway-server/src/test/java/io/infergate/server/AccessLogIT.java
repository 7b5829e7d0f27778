package io.infergate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.LogCapture;
import io.infergate.server.testing.PrometheusText;
import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The access log through a real gateway: a JSON line per request on stdout or in a file, never a
 * credential in any log line, and a stuck output costs lines, never requests.
 */
class AccessLogIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String BODY = "{\"inputs\":\"hi\"}";
    private static final String STREAM = "data: {\"index\":1,\"generated_text\":null}\n\ndata: {\"index\":2,\"generated_text\":\"a b\"}\n\n";
    /** A {@code body} part comes first when the client took a millisecond or more to send its body (a busy machine). */
    private static final Pattern SERVER_TIMING = Pattern.compile(
            "(body;dur=\\d+(\\.\\d)?, )?queue;dur=\\d+(\\.\\d)?, connect;dur=\\d+(\\.\\d)?, upstream;dur=\\d+(\\.\\d)?, total;dur=\\d+(\\.\\d)?");

    private final MockWebServer upstream = new MockWebServer();
    private TestGateway gateway;
    private LogCapture logs;
    private int closedPort;

    @BeforeEach
    void start() throws Exception {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                if (request.getUrl().encodedPath().endsWith("/generate_stream")) {
                    return new MockResponse.Builder().setHeader("Content-Type", "text/event-stream").body(STREAM).build();
                }
                return new MockResponse.Builder().body("{\"generated_text\":\"hello\"}")
                        .setHeader("x-prompt-tokens", "3").setHeader("x-generated-tokens", "7").build();
            }
        });
        upstream.start();
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        logs = LogCapture.open();
    }

    @AfterEach
    void stop() throws Exception {
        logs.close();
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private void gateway(String server) {
        gateway = TestGateway.start("""
                server: { port: 0, adminPort: 0%s }
                routes:
                  - name: down
                    match: { pathPrefix: /down/ }
                    retry: { attempts: 1 }
                    upstreams:
                      - name: gone
                        endpoints: [ "http://127.0.0.1:%d" ]
                        auth: { bearerEnv: UPSTREAM_TOKEN }
                  - name: main
                    match: { pathPrefix: /gen }
                    upstreams:
                      - name: primary
                        endpoints: [ "http://127.0.0.1:%d/base" ]
                """.formatted(server, closedPort, upstream.getPort()), Map.of("UPSTREAM_TOKEN", "SECRET4"));
    }

    private HttpResponse<String> sendWithSecrets(String method, String pathAndQuery) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri(pathAndQuery))
                .header("Authorization", "Bearer SECRET")
                .header("X-API-Key", "SECRET2")
                .method(method, method.equals("GET") ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(BODY))
                .build());
    }

    private List<JsonNode> awaitAccessLines(int count) throws Exception {
        Await.until(count + " access log lines", Duration.ofSeconds(5), () -> logs.accessLines().size() >= count);
        List<JsonNode> lines = new ArrayList<>();
        for (String line : logs.accessLines()) {
            assertFalse(line.contains("\n"), "one line: " + line);
            lines.add(JSON.readTree(line));
        }
        assertEquals(count, lines.size(), logs.accessLines().toString());
        return lines;
    }

    @Test
    void noCredentialReachesAnyLogLineWhateverBecomesOfTheRequest() throws Exception {
        gateway("");
        assertEquals(200, sendWithSecrets("POST", "/generate?token=SECRET3").statusCode());
        assertEquals(200, sendWithSecrets("POST", "/generate_stream?api_key=SECRET3").statusCode());
        assertEquals(502, sendWithSecrets("GET", "/down/v1/models?token=SECRET3").statusCode());
        assertEquals(404, sendWithSecrets("GET", "/nowhere?token=SECRET3").statusCode());
        awaitAccessLines(4);

        RecordedRequest seen = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertEquals("Bearer SECRET", seen.getHeaders().get("Authorization"), "the credentials did travel");
        assertEquals("/base/generate?token=SECRET3", seen.getTarget());
        List<LogCapture.Line> lines = logs.all();
        assertTrue(lines.size() > 4, "the gateway's debug lines are captured too: " + lines);
        for (LogCapture.Line line : lines) {
            for (String secret : List.of("SECRET", "SECRET4", "Bearer", "token=", "api_key=")) {
                assertFalse(line.text().contains(secret), line.logger() + " logged " + secret + ": " + line.text());
            }
        }
    }

    @Test
    void eachRequestGetsOneLineSayingWhatBecameOfIt() throws Exception {
        gateway("");
        HttpResponse<String> relayed = sendWithSecrets("POST", "/generate?token=SECRET3");
        HttpResponse<String> streamed = sendWithSecrets("POST", "/generate_stream");
        HttpResponse<String> refused = sendWithSecrets("GET", "/down/v1/models");
        HttpResponse<String> unrouted = sendWithSecrets("GET", "/nowhere");
        List<JsonNode> lines = awaitAccessLines(4);

        JsonNode ok = lines.get(0);
        assertEquals(relayed.headers().firstValue("x-request-id").orElseThrow(), ok.get("requestId").asText());
        assertTrue(ok.get("time").asText().matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"), ok.toString());
        assertEquals("anonymous", ok.get("tenant").asText(), "no key, none required");
        assertEquals("main", ok.get("route").asText());
        assertEquals("primary", ok.get("upstream").asText());
        assertEquals("http://127.0.0.1:" + upstream.getPort() + "/base", ok.get("endpoint").asText());
        assertEquals("POST", ok.get("method").asText());
        assertEquals("/generate", ok.get("path").asText());
        assertEquals(200, ok.get("status").asInt());
        assertEquals("success", ok.get("outcome").asText());
        assertFalse(ok.get("stream").asBoolean());
        assertEquals(BODY.length(), ok.get("bytesIn").asInt());
        assertEquals(relayed.body().length(), ok.get("bytesOut").asInt());
        assertEquals(3, ok.get("promptTokens").asInt());
        assertEquals(7, ok.get("generatedTokens").asInt());
        assertEquals(1, ok.get("attempts").asInt());
        assertEquals(0, ok.get("retries").asInt());
        assertFalse(ok.get("fallback").asBoolean());
        assertTrue(ok.get("connectMs").asDouble() >= 0 && ok.get("firstByteMs").asDouble() > 0, ok.toString());
        assertTrue(ok.get("totalMs").asDouble() >= ok.get("firstByteMs").asDouble(), ok.toString());
        assertTrue(ok.get("ttftMs").isNull());
        String timing = relayed.headers().firstValue("server-timing").orElseThrow();
        assertTrue(SERVER_TIMING.matcher(timing).matches(), timing);

        JsonNode stream = lines.get(1);
        assertTrue(stream.get("stream").asBoolean(), stream.toString());
        assertEquals(STREAM.length(), stream.get("bytesOut").asInt());
        assertEquals(STREAM, streamed.body());
        assertTrue(stream.get("ttftMs").asDouble() >= stream.get("firstByteMs").asDouble(), stream.toString());
        assertTrue(stream.get("generatedTokens").isNull());

        JsonNode failed = lines.get(2);
        assertEquals("down", failed.get("route").asText());
        assertEquals("gone", failed.get("upstream").asText());
        assertEquals(502, failed.get("status").asInt());
        assertEquals("connect_failed", failed.get("outcome").asText());
        assertEquals(refused.body().length(), failed.get("bytesOut").asInt());
        assertTrue(failed.get("connectMs").isNull() && failed.get("firstByteMs").isNull(), failed.toString());
        assertTrue(SERVER_TIMING.matcher(refused.headers().firstValue("server-timing").orElseThrow()).matches());

        JsonNode nowhere = lines.get(3);
        assertTrue(nowhere.get("route").isNull() && nowhere.get("upstream").isNull(), nowhere.toString());
        assertEquals(404, nowhere.get("status").asInt());
        assertEquals("no_route", nowhere.get("outcome").asText());
        assertEquals("/nowhere", nowhere.get("path").asText());
        assertEquals("queue;dur=0, connect;dur=0, upstream;dur=0", unrouted.headers().firstValue("server-timing").orElseThrow()
                .replaceFirst(", total;dur=[0-9.]+$", ""));
    }

    @Test
    void aStuckStdoutCostsLinesCountedInTheMetricsWhileRequestsAreStillAnswered() throws Exception {
        gateway(", accessLog: { queue: 8 }");
        logs.holdStdout();
        assertEquals(200, sendWithSecrets("POST", "/generate").statusCode());
        assertTrue(logs.awaitStdoutHeld(5), "the access log's writer is stuck in stdout with the first line");

        int more = 40;
        for (int i = 0; i < more; i++) {
            HttpResponse<String> response = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString(BODY)).build());
            assertEquals(200, response.statusCode(), "request " + i + " answered while the access log is stuck");
        }
        // The writer holds the first line; the backstop, stuck in stdout too, what it took before it
        // wrote (no more than the queue held, as the requests come one at a time); the queue 8.
        Await.untilHolds("the lines past what the log holds counted", Duration.ofSeconds(5),
                () -> droppedInMetrics() >= more - 8 - 8);
        assertEquals(List.of(), logs.accessLines(), "nothing got through stdout yet");

        logs.releaseStdout();
        Await.untilHolds("every request either a line or counted", Duration.ofSeconds(5),
                () -> logs.accessLines().size() + droppedInMetrics() == 1 + more);
        for (String line : logs.accessLines()) {
            assertEquals("/generate", JSON.readTree(line).get("path").asText());
        }
    }

    private double droppedInMetrics() throws Exception {
        return new PrometheusText(gateway.admin("/metrics").body()).value(MeterNames.ACCESS_LOG_DROPPED, Map.of());
    }

    @Test
    void aFileNamedInTheConfigGetsTheLinesAndStdoutNone(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        gateway(", accessLog: { file: \"" + file + "\" }");
        assertEquals(200, sendWithSecrets("POST", "/generate?token=SECRET3").statusCode());
        assertEquals(404, sendWithSecrets("GET", "/nowhere").statusCode());

        gateway.close(); // the last lines are written out on close
        gateway = null;
        List<String> lines = Files.readAllLines(file);
        assertEquals(2, lines.size(), lines.toString());
        assertEquals("/generate", JSON.readTree(lines.get(0)).get("path").asText());
        assertEquals(404, JSON.readTree(lines.get(1)).get("status").asInt());
        assertEquals(List.of(), logs.accessLines());
    }

    @Test
    void aFileThatCannotBeOpenedStopsTheStartNamingTheKey(@TempDir Path dir) {
        Path file = dir.resolve("missing-directory").resolve("access.log");
        UncheckedIOException refused = assertThrows(UncheckedIOException.class,
                () -> gateway(", accessLog: { file: \"" + file + "\" }"));
        assertTrue(refused.getMessage().startsWith("server.accessLog.file: cannot open " + file), refused.getMessage());
    }

    @Test
    void serverAccessLogFalseTurnsItOff() throws Exception {
        gateway(", accessLog: false");
        assertEquals(200, sendWithSecrets("POST", "/generate").statusCode());
        // An exchange writes its line before it counts itself.
        Await.until("the request counted", Duration.ofSeconds(5),
                () -> gateway.server().registry().find(MeterNames.REQUESTS).counters().stream().mapToDouble(c -> c.count()).sum() == 1);

        assertEquals(List.of(), logs.accessLines());
    }
}
