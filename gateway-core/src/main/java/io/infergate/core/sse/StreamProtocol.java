package io.infergate.core.sse;

import io.infergate.core.JsonStrings;
import io.infergate.core.error.GatewayError;

import java.nio.charset.StandardCharsets;

/**
 * The two dialects an inference endpoint speaks, told apart by path: OpenAI-compatible under
 * {@code /v1/}, TGI's own elsewhere. Each has its own way to end a stream and to report an error,
 * in a stream or as a response's body, and the gateway must speak the one the client is parsing.
 */
public enum StreamProtocol {
    /** {@code data: {"error": "...", "error_type": "..."}}; ends with the event carrying {@code generated_text}. */
    TGI,
    /** {@code data: {"error": {"message", "type", "code"}}} then {@code data: [DONE]}, as TGI's own /v1 routes do. */
    OPENAI;

    private static final String GENERATED_TEXT = "\"generated_text\":";

    public static StreamProtocol forPath(String path) {
        return path.startsWith("/v1/") ? OPENAI : TGI;
    }

    /** The final event the gateway writes when a stream fails after it has begun. */
    public byte[] errorEvent(GatewayError error, String message) {
        return errorEvent(error.cause(), message, error.status());
    }

    /** The final event for an error described by its type, message and HTTP status. */
    public byte[] errorEvent(String type, String message, int status) {
        String events = "data: " + errorJson(type, message, status, null) + "\n\n" + (this == OPENAI ? "data: [DONE]\n\n" : "");
        return events.getBytes(StandardCharsets.UTF_8);
    }

    /**
     * An error in the dialect's own shape, the one its clients parse: TGI's
     * {@code {"error": "...", "error_type": "..."}}, or OpenAI's error object
     * {@code {"error": {"message", "type", "code"}}}. A {@code layer} (null for none) is added
     * beside them, which both kinds of client ignore.
     */
    public String errorJson(String type, String message, int status, String layer) {
        String extra = layer == null ? "" : ",\"layer\":" + JsonStrings.quote(layer);
        return switch (this) {
            case TGI -> "{\"error\":" + JsonStrings.quote(message) + ",\"error_type\":" + JsonStrings.quote(type) + extra + "}";
            case OPENAI -> "{\"error\":{\"message\":" + JsonStrings.quote(message) + ",\"type\":" + JsonStrings.quote(type)
                    + ",\"code\":" + status + extra + "}}";
        };
    }

    /**
     * Whether an event (its first bytes, as {@link SseFramer} keeps them) is the protocol's last:
     * {@code [DONE]}, or TGI's event with a non-null {@code generated_text}.
     */
    public boolean isFinalEvent(String eventHead) {
        return switch (this) {
            case OPENAI -> eventHead.strip().equals("data: [DONE]") || eventHead.strip().equals("data:[DONE]");
            case TGI -> {
                int at = eventHead.indexOf(GENERATED_TEXT);
                if (at < 0) {
                    yield false;
                }
                String rest = eventHead.substring(at + GENERATED_TEXT.length()).stripLeading();
                yield !rest.isEmpty() && !rest.startsWith("null");
            }
        };
    }
}
