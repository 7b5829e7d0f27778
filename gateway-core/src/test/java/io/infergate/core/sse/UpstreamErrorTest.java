package io.infergate.core.sse;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class UpstreamErrorTest {

    private static UpstreamError of(int status, String body) {
        return UpstreamError.from(status, body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void tgiErrorKeepsItsMessageAndType() {
        assertEquals(new UpstreamError("overloaded", "Model is overloaded", 429),
                of(429, "{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}"));
    }

    @Test
    void openAiErrorKeepsItsMessageAndType() {
        assertEquals(new UpstreamError("BadRequestError", "too long", 400),
                of(400, "{\"error\":{\"message\":\"too long\",\"type\":\"BadRequestError\",\"code\":400}}"));
    }

    @Test
    void anythingElseIsDescribedByItsStatus() {
        assertEquals(new UpstreamError("upstream_error", "the upstream answered 503", 503), of(503, "Service Unavailable"));
        assertEquals(new UpstreamError("upstream_error", "the upstream answered 500", 500), of(500, ""));
        assertEquals(new UpstreamError("upstream_error", "x", 500), of(500, "{\"error\":\"x\"}"));
    }
}
