package io.infergate.server.logging;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.LoggingEvent;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JsonLineEncoderTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final long NOON = 1_796_472_000_250L; // 2026-12-05T12:00:00.250Z

    private final LoggerContext context = new LoggerContext();
    private final JsonLineEncoder encoder = new JsonLineEncoder();

    private String encode(Level level, String message, Throwable thrown, Object... args) {
        LoggingEvent event = new LoggingEvent(JsonLineEncoderTest.class.getName(),
                context.getLogger("io.infergate.server.GatewayServer"), level, message, thrown, args);
        event.setTimeStamp(NOON);
        return new String(encoder.encode(event), StandardCharsets.UTF_8);
    }

    @Test
    void anEventIsOneObjectOnOneLineWithTimeLevelLoggerAndMessage() throws Exception {
        String line = encode(Level.INFO, "breaker {}: {} -> {}", null, "http://10.0.0.5:3000", "CLOSED", "OPEN");

        assertTrue(line.endsWith("}\n") && line.indexOf('\n') == line.length() - 1, line);
        JsonNode object = JSON.readTree(line);
        assertEquals(List.of("time", "level", "logger", "message"), fieldNames(object));
        assertEquals("2026-12-05T12:00:00.250Z", object.get("time").asText());
        assertEquals("INFO", object.get("level").asText());
        assertEquals("io.infergate.server.GatewayServer", object.get("logger").asText());
        assertEquals("breaker http://10.0.0.5:3000: CLOSED -> OPEN", object.get("message").asText());
    }

    @Test
    void aThrowableBecomesTheWholeStackTraceAsOneString() throws Exception {
        IllegalStateException thrown = new IllegalStateException("drain failed", new IOException("broken pipe"));

        String line = encode(Level.ERROR, "drain failed", thrown);

        assertEquals(1, line.lines().count(), line);
        JsonNode object = JSON.readTree(line);
        assertEquals(List.of("time", "level", "logger", "message", "stackTrace"), fieldNames(object));
        String trace = object.get("stackTrace").asText();
        assertTrue(trace.startsWith("java.lang.IllegalStateException: drain failed\n"), trace);
        assertTrue(trace.contains("\tat io.infergate.server.logging.JsonLineEncoderTest."), trace);
        assertTrue(trace.contains("Caused by: java.io.IOException: broken pipe"), trace);
    }

    @Test
    void quotesAndLineBreaksInAMessageStayInsideItsString() throws Exception {
        String line = encode(Level.WARN, "a \"quoted\"\nsecond line\t{}", null, "\\");

        assertEquals(1, line.lines().count(), line);
        assertEquals("a \"quoted\"\nsecond line\t\\", JSON.readTree(line).get("message").asText());
    }

    private static List<String> fieldNames(JsonNode object) {
        List<String> names = new ArrayList<>();
        object.fieldNames().forEachRemaining(names::add);
        return names;
    }
}
