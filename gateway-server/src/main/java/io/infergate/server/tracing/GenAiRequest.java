package io.infergate.server.tracing;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;

/**
 * What a request asks of the model, in the GenAI conventions' words: the operation, from the path
 * ({@code chat} for chat completions, {@code text_completion} for completions and TGI's
 * {@code /generate}, {@code embeddings}), and from the body the model and the most tokens it may
 * generate ({@code max_tokens}, {@code max_completion_tokens}, or TGI's {@code parameters.max_new_tokens}).
 */
final class GenAiRequest {

    private static final JsonFactory JSON = new JsonFactory();

    private final String operation;
    private String model;
    private long maxTokens = -1;

    GenAiRequest(String path) {
        this.operation = operationOf(path == null ? "" : path);
    }

    static String operationOf(String path) {
        if (path.endsWith("/chat/completions")) {
            return "chat";
        }
        if (path.endsWith("/embeddings")) {
            return "embeddings";
        }
        if (path.endsWith("/completions") || path.endsWith("/generate") || path.endsWith("/generate_stream")
                || path.equals("/")) {
            return "text_completion";
        }
        return "generate_content";
    }

    /** Reads the top level of a JSON body, and TGI's {@code parameters}; anything else leaves the fields unset. */
    void read(byte[] body) {
        try (JsonParser parser = JSON.createParser(body)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return;
            }
            while (parser.nextToken() == JsonToken.FIELD_NAME) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("model") && value == JsonToken.VALUE_STRING) {
                    model = parser.getText();
                } else if ((field.equals("max_tokens") || field.equals("max_completion_tokens"))
                        && value == JsonToken.VALUE_NUMBER_INT) {
                    maxTokens = parser.getLongValue();
                } else if (field.equals("parameters") && value == JsonToken.START_OBJECT) {
                    readParameters(parser);
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException e) {
            // Not JSON: the span goes without the model and the limit.
        }
    }

    private void readParameters(JsonParser parser) throws IOException {
        while (parser.nextToken() == JsonToken.FIELD_NAME) {
            String field = parser.currentName();
            if (parser.nextToken() == JsonToken.VALUE_NUMBER_INT && field.equals("max_new_tokens")) {
                maxTokens = parser.getLongValue();
            } else {
                parser.skipChildren();
            }
        }
    }

    String operation() {
        return operation;
    }

    /** The model asked for; null when the body names none. */
    String model() {
        return model;
    }

    /** -1 when the body sets no limit. */
    long maxTokens() {
        return maxTokens;
    }

    /** {@code {operation} {model}}, as the GenAI conventions name a span. */
    String spanName() {
        return model == null ? operation : operation + " " + model;
    }
}
