package io.infergate.core.upstream;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.IOException;
import java.util.Locale;

/**
 * Reads a {@code 503} body for the sign that the model is loading rather than broken: Hugging
 * Face's {@code {"error": "Model x is currently loading", "estimated_time": 20.0}}.
 */
public final class ColdStartSignal {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String LOADING = "is currently loading";
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    /**
     * @param loading  whether the body says the model is loading
     * @param etaNanos the endpoint's estimate of the time until it is ready; -1 when it gave none
     */
    public record Reading(boolean loading, long etaNanos) {
        static final Reading NOT_LOADING = new Reading(false, -1);
    }

    private ColdStartSignal() {}

    public static Reading read(byte[] body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException | RuntimeException notJson) {
            return Reading.NOT_LOADING;
        }
        if (root == null) {
            return Reading.NOT_LOADING;
        }
        JsonNode error = root.path("error");
        String message = error.isTextual() ? error.asText() : error.path("message").asText("");
        if (!message.toLowerCase(Locale.ROOT).contains(LOADING)) {
            return Reading.NOT_LOADING;
        }
        return new Reading(true, etaNanos(root.path("estimated_time")));
    }

    /** An estimate in seconds, if it is a sane one. */
    public static long etaNanos(JsonNode estimate) {
        if (!estimate.isNumber()) {
            return -1;
        }
        double seconds = estimate.asDouble();
        if (!(seconds >= 0) || seconds > 86_400) {
            return -1;
        }
        return (long) (seconds * NANOS_PER_SECOND);
    }
}
