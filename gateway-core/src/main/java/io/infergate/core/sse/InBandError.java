package io.infergate.core.sse;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Map;

/**
 * An error an endpoint reports inside a stream it answered {@code 200}: TGI refuses an overloaded
 * or failed generation with one event, {@code {"error": "...", "error_type": "overloaded"}}, and its
 * OpenAI routes with {@code {"error": {"message": ..., "http_status_code": 422}}} whatever the cause.
 * Read as the status a plain request would have got, it lets retries and fallbacks treat both alike.
 */
public final class InBandError {

    private static final ObjectMapper JSON = new ObjectMapper();

    /** TGI's error types and the statuses its non-streaming routes give them (TGI server.rs). */
    private static final Map<String, Integer> STATUS_BY_TYPE = Map.of(
            "overloaded", 429,
            "generation", 424,
            "validation", 422,
            "template_error", 422,
            "missing_template_variable", 422,
            "tool_error", 422,
            "incomplete_generation", 500,
            "incomplete_generation_stream", 500,
            "stream_serialization_error", 500);

    /** TGI's OpenAI-route errors carry no type, only the message its error type always has. */
    private static final Map<String, String> TYPE_BY_MESSAGE_START = Map.of(
            "Model is overloaded", "overloaded",
            "Request failed during generation", "generation",
            "Input validation error", "validation",
            "Incomplete generation", "incomplete_generation");

    private InBandError() {}

    /**
     * The error the stream's first event reports, or null when that event is not an error.
     *
     * @param streamStart the stream's text up to (at least) the end of its first event
     */
    public static UpstreamError inFirstEvent(String streamStart) {
        String data = firstEventData(streamStart);
        if (data == null) {
            return null;
        }
        JsonNode event;
        try {
            event = JSON.readTree(data);
        } catch (IOException | RuntimeException notJson) {
            return null;
        }
        if (event == null || !event.has("error") || event.get("error").isNull()) {
            return null;
        }
        JsonNode error = event.get("error");
        if (error.isTextual()) {
            String type = event.path("error_type").asText("");
            return new UpstreamError(type.isEmpty() ? "upstream_error" : type, error.asText(), statusOf(type, 500));
        }
        String message = error.path("message").asText("");
        String type = error.path("type").asText("");
        for (Map.Entry<String, String> known : TYPE_BY_MESSAGE_START.entrySet()) {
            if (message.startsWith(known.getKey())) {
                type = known.getValue();
                break;
            }
        }
        int stated = error.path("http_status_code").asInt(error.path("code").asInt(500));
        int fallback = stated >= 400 && stated < 600 ? stated : 500;
        return new UpstreamError(type.isEmpty() ? "upstream_error" : type, message, statusOf(type, fallback));
    }

    private static int statusOf(String type, int fallback) {
        return STATUS_BY_TYPE.getOrDefault(type, fallback);
    }

    /** The data of the first event with any, its {@code data:} lines joined by LF; null when none is complete. */
    static String firstEventData(String stream) {
        StringBuilder data = null;
        int at = stream.startsWith("\uFEFF") ? 1 : 0;
        while (at < stream.length()) {
            int end = lineEnd(stream, at);
            if (end < 0) {
                return null; // the line is not complete yet
            }
            String line = stream.substring(at, end);
            at = end + (stream.startsWith("\r\n", end) ? 2 : 1);
            if (line.isEmpty()) {
                if (data != null) {
                    return data.toString();
                }
                continue;
            }
            if (line.startsWith("data")) {
                String value = line.length() == 4 ? "" : line.charAt(4) == ':' ? line.substring(5) : null;
                if (value == null) {
                    continue; // a field named like "database"
                }
                value = value.startsWith(" ") ? value.substring(1) : value;
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return null;
    }

    private static int lineEnd(String text, int from) {
        for (int i = from; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '\n' || c == '\r') {
                return i;
            }
        }
        return -1;
    }
}
