package io.infergate.server;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.server.testing.GatewayProcess;
import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged gateway's application log on stderr, in each {@code server.logFormat}. */
class ApplicationLogIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ISO_UTC = "\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z";
    private static final Pattern STARTED_TEXT = Pattern.compile(ISO_UTC
            + " INFO  GatewayServer - Infergate listening on port \\d+ \\(admin 127\\.0\\.0\\.1:\\d+\\), \\w+ transport, 1 route");
    private static final Duration START = Duration.ofSeconds(10);

    private static String oneRoute(int upstreamPort) {
        return """
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:%d" ] } ]
                """.formatted(upstreamPort);
    }

    @Test
    void textLinesStartWithAnIsoTimeInUtc(@TempDir Path dir) throws Exception {
        try (MockWebServer upstream = new MockWebServer();
             GatewayProcess gateway = GatewayProcess.start(dir, oneRoute(port(upstream)))) {
            // The line is written just after the admin port answers: waited for, not assumed.
            Await.until("the start-up line", START,
                    () -> gateway.output().lines().anyMatch(line -> STARTED_TEXT.matcher(line).matches()));
        }
    }

    @Test
    void jsonIsOneObjectPerLineAndTheAccessLogKeepsItsOwnLines(@TempDir Path dir) throws Exception {
        try (MockWebServer upstream = new MockWebServer()) {
            upstream.enqueue(new MockResponse.Builder().body("ok").build());
            try (GatewayProcess gateway = GatewayProcess.startWith(dir, "logFormat: json", oneRoute(port(upstream)))) {
                assertEquals(200, TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate")).build()).statusCode());
                Await.until("the start-up line and the access line", START,
                        () -> started(gateway).isPresent() && accessLine(gateway).isPresent());

                JsonNode started = started(gateway).orElseThrow();
                assertTrue(started.get("time").asText().matches(ISO_UTC), started.toString());
                assertEquals("INFO", started.get("level").asText());
                assertEquals(GatewayServer.class.getName(), started.get("logger").asText());
                assertFalse(started.has("stackTrace"), started.toString());

                JsonNode access = accessLine(gateway).orElseThrow();
                assertEquals("/generate", access.get("path").asText());
                assertFalse(access.has("level") || access.has("logger"), "the access log is not wrapped: " + access);

                for (String line : gateway.output().lines().toList()) {
                    if (!line.startsWith("Picked up ")) { // the JVM's own notice of JAVA_TOOL_OPTIONS, not a log line
                        assertTrue(parses(line), "not one JSON object: " + line + "\n" + gateway.output());
                    }
                }
            }
        }
    }

    private static int port(MockWebServer upstream) throws Exception {
        upstream.start();
        return upstream.getPort();
    }

    private static Optional<JsonNode> started(GatewayProcess gateway) {
        return objects(gateway).stream()
                .filter(o -> o.path("message").asText().startsWith("Infergate listening on port ")).findFirst();
    }

    private static Optional<JsonNode> accessLine(GatewayProcess gateway) {
        return objects(gateway).stream().filter(o -> o.has("requestId")).findFirst();
    }

    private static List<JsonNode> objects(GatewayProcess gateway) {
        List<JsonNode> objects = new ArrayList<>();
        for (String line : gateway.output().lines().toList()) {
            if (parses(line)) {
                objects.add(read(line));
            }
        }
        return objects;
    }

    private static boolean parses(String line) {
        return line.startsWith("{") && line.endsWith("}") && read(line) != null;
    }

    private static JsonNode read(String line) {
        try {
            return JSON.readTree(line);
        } catch (JsonProcessingException e) {
            return null;
        }
    }
}
