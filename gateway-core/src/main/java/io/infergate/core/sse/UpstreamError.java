package io.infergate.core.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

/**
 * What an upstream's error response said, to be retold as an event when the client's stream had
 * already begun: TGI's {@code {"error": "...", "error_type": "..."}}, the OpenAI form
 * {@code {"error": {"message", "type"}}}, or, for anything else, the status alone.
 */
public record UpstreamError(String type, String message, int status) {

    private static final ObjectMapper JSON = new ObjectMapper();

    public static UpstreamError from(int status, byte[] body) {
        String fallback = "the upstream answered " + status;
        try {
            JsonNode error = JSON.readTree(body).path("error");
            if (error.isTextual()) {
                return new UpstreamError(text(JSON.readTree(body).path("error_type"), "upstream_error"), error.asText(), status);
            }
            if (error.isObject()) {
                return new UpstreamError(text(error.path("type"), "upstream_error"), text(error.path("message"), fallback), status);
            }
        } catch (IOException | RuntimeException notJson) {
            // plain text or nothing: the status says it
        }
        return new UpstreamError("upstream_error", fallback, status);
    }

    /**
     * The error codes an error body names, most specific first: OpenAI's {@code error.code} and
     * {@code error.type}, TGI's {@code error_type}, a top-level {@code code}. Empty when it names none.
     */
    public static List<String> codes(byte[] body) {
        List<String> codes = new ArrayList<>(2);
        try {
            JsonNode root = JSON.readTree(body);
            if (root == null) {
                return codes;
            }
            JsonNode error = root.path("error");
            addText(codes, error.path("code"));
            addText(codes, error.path("type"));
            addText(codes, root.path("error_type"));
            addText(codes, root.path("code"));
        } catch (IOException | RuntimeException notJson) {
            // no codes
        }
        return codes;
    }

    private static void addText(List<String> codes, JsonNode node) {
        if (node.isTextual() && !node.asText().isEmpty()) {
            codes.add(node.asText());
        }
    }

    private static String text(JsonNode node, String fallback) {
        return node.isTextual() && !node.asText().isEmpty() ? node.asText() : fallback;
    }
}
