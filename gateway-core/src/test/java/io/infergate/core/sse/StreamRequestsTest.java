package io.infergate.core.sse;

import org.junit.jupiter.api.Test;

import java.io.ByteArrayInputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamRequestsTest {

    private static boolean body(String json) {
        return StreamRequests.bodyAsksForStream(new ByteArrayInputStream(json.getBytes(StandardCharsets.UTF_8)));
    }

    @Test
    void pathOrAcceptHeaderAskForAStream() {
        assertTrue(StreamRequests.asksForStream("/generate_stream", null));
        assertTrue(StreamRequests.asksForStream("/v1/chat/completions", "text/event-stream"));
        assertFalse(StreamRequests.asksForStream("/generate", "application/json"));
    }

    @Test
    void onlyATopLevelStreamTrueCounts() {
        assertTrue(body("{\"model\":\"tgi\",\"messages\":[{\"role\":\"user\",\"content\":\"stream\"}],\"stream\":true}"));
        assertFalse(body("{\"stream\":false}"));
        assertFalse(body("{\"parameters\":{\"stream\":true}}"));
        assertFalse(body("{\"stream\":\"true\"}"));
        assertFalse(body("[{\"stream\":true}]"));
        assertFalse(body("not json"));
        assertFalse(body("{\"inputs\":\"x\",\"stream\""));
        assertFalse(body(""));
    }
}
