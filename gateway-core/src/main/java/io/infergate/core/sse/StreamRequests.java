package io.infergate.core.sse;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;

/**
 * Whether a request asks for an event stream: TGI's {@code /generate_stream}, an
 * {@code Accept: text/event-stream}, or a JSON body with a top-level {@code "stream": true} (TGI's
 * {@code /} and the OpenAI routes). The body is scanned with the streaming parser and never bound.
 */
public final class StreamRequests {

    private static final JsonFactory JSON = new JsonFactory();

    private StreamRequests() {}

    /** Without the body: what the path and headers say. */
    public static boolean asksForStream(String path, String accept) {
        return path.endsWith("/generate_stream") || (accept != null && accept.contains("text/event-stream"));
    }

    /** Whether a JSON body has {@code "stream": true} at its top level; a body that is not JSON does not. */
    public static boolean bodyAsksForStream(InputStream json) {
        try (JsonParser parser = JSON.createParser(json)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return false;
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if ("stream".equals(field)) {
                    return value == JsonToken.VALUE_TRUE;
                }
                parser.skipChildren();
            }
            return false;
        } catch (IOException malformed) {
            return false;
        }
    }
}
