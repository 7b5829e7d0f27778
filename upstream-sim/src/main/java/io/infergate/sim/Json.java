package io.infergate.sim;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

/** The one JSON mapper, and compact single-line serialisation (as SSE {@code data:} lines need). */
final class Json {

    static final ObjectMapper MAPPER = new ObjectMapper()
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);

    private Json() {}

    static ObjectNode object() {
        return MAPPER.createObjectNode();
    }

    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** TGI's error body: {@code {"error": message, "error_type": type}}. */
    static String error(String message, String type) {
        ObjectNode node = object();
        node.put("error", message);
        node.put("error_type", type);
        return write(node);
    }

    /** The OpenAI routes' in-band error event; TGI hard-codes status 422 for every kind. */
    static String openAiStreamError(String message) {
        ObjectNode node = object();
        node.putObject("error").put("message", message).put("http_status_code", 422);
        return write(node);
    }
}
