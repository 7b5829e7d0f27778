package io.infergate.core.ratelimit;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.StreamReadConstraints;

import java.io.IOException;

/**
 * How many tokens a request may generate, as its JSON body says: TGI's {@code parameters.max_new_tokens},
 * or OpenAI's {@code max_completion_tokens} or {@code max_tokens} at the top level. That many are
 * reserved against the tenant's {@code tokensPerMinute} before the request goes out.
 * <p>
 * The body is read with the streaming parser and never bound; only the top level and the top-level
 * {@code parameters} object are looked into. A body that is not JSON, or names none of the fields,
 * or gives a value that is not a whole number of at least 0, reserves the route's default; a body
 * that gives several (OpenAI's two spellings) reserves the largest. Nothing here throws.
 */
public final class TokenReservation {

    /**
     * Nesting is limited, as it costs the parser memory; a chat body is a few levels deep. The body's
     * size is capped before it gets here.
     */
    private static final JsonFactory JSON = JsonFactory.builder()
            .streamReadConstraints(StreamReadConstraints.builder().maxNestingDepth(64).build())
            .build();

    private TokenReservation() {}

    /**
     * @param jsonBody     the request body, or null
     * @param routeDefault what a body that states no limit reserves (the route's {@code reserveTokens})
     */
    public static int of(byte[] jsonBody, int routeDefault) {
        if (jsonBody == null || jsonBody.length == 0) {
            return routeDefault;
        }
        long found = -1;
        try (JsonParser parser = JSON.createParser(jsonBody)) {
            if (parser.nextToken() != JsonToken.START_OBJECT) {
                return routeDefault;
            }
            for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                String field = parser.currentName();
                JsonToken value = parser.nextToken();
                if (field.equals("max_tokens") || field.equals("max_completion_tokens")) {
                    found = Math.max(found, count(parser, value));
                } else if (field.equals("parameters") && value == JsonToken.START_OBJECT) {
                    found = Math.max(found, maxNewTokens(parser));
                } else {
                    parser.skipChildren();
                }
            }
        } catch (IOException | RuntimeException malformed) {
            // A body the upstream will refuse anyway: the default is as good a guess as any.
            return routeDefault;
        }
        return found < 0 ? routeDefault : (int) Math.min(found, Integer.MAX_VALUE);
    }

    /** {@code max_new_tokens} inside {@code parameters}, the parser on its opening brace; -1 when absent. */
    private static long maxNewTokens(JsonParser parser) throws IOException {
        long found = -1;
        for (JsonToken token = parser.nextToken(); token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
            String field = parser.currentName();
            JsonToken value = parser.nextToken();
            if (field.equals("max_new_tokens")) {
                found = Math.max(found, count(parser, value));
            } else {
                parser.skipChildren();
            }
        }
        return found;
    }

    /** A whole number of at least 0, a very large one as the largest int; -1 for anything else. */
    private static long count(JsonParser parser, JsonToken value) throws IOException {
        if (value != JsonToken.VALUE_NUMBER_INT) {
            parser.skipChildren();
            return -1;
        }
        if (parser.getNumberType() == JsonParser.NumberType.BIG_INTEGER) {
            return parser.getBigIntegerValue().signum() < 0 ? -1 : Integer.MAX_VALUE;
        }
        long n = parser.getLongValue();
        return n < 0 ? -1 : n;
    }
}
