package io.infergate.core.sse;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class InBandErrorTest {

    @Test
    void tgiOverloadInAStreamReadsAs429() {
        assertEquals(new UpstreamError("overloaded", "Model is overloaded", 429),
                InBandError.inFirstEvent("data: {\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}\n\n"));
    }

    @Test
    void tgiGenerationAndValidationErrorsReadAsTheirStatuses() {
        assertEquals(424, InBandError.inFirstEvent(
                "data:{\"error\":\"Request failed during generation: CUDA\",\"error_type\":\"generation\"}\r\n\r\n").status());
        assertEquals(422, InBandError.inFirstEvent(
                "data: {\"error\":\"Input validation error: x\",\"error_type\":\"validation\"}\r\r").status());
        assertEquals(500, InBandError.inFirstEvent("data: {\"error\":\"?\",\"error_type\":\"novel\"}\n\n").status());
    }

    @Test
    void tgiOpenAiRouteErrorsAreReadByTheirMessageNotTheirFixedStatus() {
        String event = "data: {\"error\":{\"message\":\"Model is overloaded\",\"http_status_code\":422}}\n\ndata: [DONE]\n\n";
        assertEquals(new UpstreamError("overloaded", "Model is overloaded", 429), InBandError.inFirstEvent(event));
        assertEquals(424, InBandError.inFirstEvent(
                "data: {\"error\":{\"message\":\"Request failed during generation: x\",\"http_status_code\":422}}\n\n").status());
        assertEquals(422, InBandError.inFirstEvent(
                "data: {\"error\":{\"message\":\"something else\",\"http_status_code\":422}}\n\n").status());
    }

    @Test
    void vllmStyleErrorsKeepTheirCode() {
        assertEquals(new UpstreamError("BadRequestError", "too long", 400), InBandError.inFirstEvent(
                "data: {\"error\":{\"object\":\"error\",\"message\":\"too long\",\"type\":\"BadRequestError\",\"code\":400}}\n\n"));
    }

    @Test
    void ordinaryFirstEventsAreNotErrors() {
        assertNull(InBandError.inFirstEvent("data: {\"index\":1,\"token\":{\"text\":\"a\"},\"generated_text\":null}\n\n"));
        assertNull(InBandError.inFirstEvent("data: {\"choices\":[],\"error\":null}\n\n"));
        assertNull(InBandError.inFirstEvent("data: [DONE]\n\n"));
        assertNull(InBandError.inFirstEvent("data: {not json\n\n"));
    }

    @Test
    void commentsAndIncompleteEventsAreNotRead() {
        assertNull(InBandError.inFirstEvent(": keep-alive\n\n"));
        assertNull(InBandError.inFirstEvent("data: {\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}\n"));
        assertEquals(429, InBandError.inFirstEvent(
                "\uFEFF: hi\n\nevent: x\ndata: {\"error\":\"Model is overloaded\",\n"
                        + "data: \"error_type\":\"overloaded\"}\n\n").status());
    }

    @Test
    void errorBodiesNameTheirCodesMostSpecificFirst() {
        assertEquals(List.of("context_length_exceeded", "invalid_request_error"), UpstreamError.codes(bytes(
                "{\"error\":{\"message\":\"too long\",\"type\":\"invalid_request_error\",\"code\":\"context_length_exceeded\"}}")));
        assertEquals(List.of("validation"), UpstreamError.codes(bytes("{\"error\":\"x\",\"error_type\":\"validation\"}")));
        assertEquals(List.of("content_policy_violation"), UpstreamError.codes(bytes("{\"code\":\"content_policy_violation\"}")));
        assertEquals(List.of(), UpstreamError.codes(bytes("Failed to parse the request body as JSON")));
        assertEquals(List.of(), UpstreamError.codes(bytes("")));
    }

    private static byte[] bytes(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }
}
