package io.infergate.core.json;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;

import java.io.IOException;
import java.io.InputStream;

/**
 * The model a JSON request body names in its top-level {@code model} field, read with the streaming
 * parser and never bound: every other top-level value is skipped token by token (a skipped string is
 * never decoded), and {@code model} keys inside them ({@code messages}, {@code tools}) do not count.
 *
 * <p>The top level is read to its end rather than to the first {@code model}: a body naming two
 * different models could otherwise be routed by one and served by the other (an upstream's parser
 * may keep the last), around a tenant's allowed routes. Such a body is {@link Kind#CONFLICTING}.
 *
 * @param name the model named; null unless {@link Kind#NAMED}
 */
public record ModelField(Kind kind, String name) {

    private static final ModelField ABSENT = new ModelField(Kind.ABSENT, null);
    private static final ModelField NOT_JSON = new ModelField(Kind.NOT_JSON, null);
    private static final ModelField NOT_A_STRING = new ModelField(Kind.NOT_A_STRING, null);
    private static final ModelField CONFLICTING = new ModelField(Kind.CONFLICTING, null);

    public enum Kind {
        /** A JSON object whose top-level {@code model} is a string (every one alike, if repeated). */
        NAMED,
        /** A JSON object without a top-level {@code model}, or no body at all. */
        ABSENT,
        /** Not one JSON object: malformed or cut short, another kind of value, or followed by more. */
        NOT_JSON,
        /** A top-level {@code model} that is not a string (null, a number, an object...). */
        NOT_A_STRING,
        /** Top-level {@code model} fields naming different models. */
        CONFLICTING
    }

    /** Reads {@code json} (any of JSON's encodings); never throws on what the bytes say. */
    public static ModelField of(InputStream json) {
        try (JsonParser parser = BodyJson.FACTORY.createParser(json)) {
            JsonToken first = parser.nextToken();
            if (first != JsonToken.START_OBJECT) {
                return first == null ? ABSENT : NOT_JSON; // no body at all names no model either
            }
            String name = null;
            JsonToken token = parser.nextToken();
            for (; token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                boolean model = "model".equals(parser.currentName());
                JsonToken value = parser.nextToken();
                if (!model) {
                    parser.skipChildren();
                } else if (value != JsonToken.VALUE_STRING) {
                    return NOT_A_STRING;
                } else if (name == null) {
                    name = parser.getText();
                } else if (!name.equals(parser.getText())) {
                    return CONFLICTING;
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return NOT_JSON;
            }
            return name == null ? ABSENT : new ModelField(Kind.NAMED, name);
        } catch (IOException malformed) {
            return NOT_JSON;
        }
    }

    /** Why a request with this body cannot be routed by its model; null when it names one. */
    public String problem() {
        return switch (kind) {
            case NAMED -> null;
            case ABSENT -> "the request names no model: routes at this path are chosen by the top-level"
                    + " \"model\" of a JSON body";
            case NOT_JSON -> "the request body is not a JSON object: routes at this path are chosen by its"
                    + " top-level \"model\"";
            case NOT_A_STRING -> "the request body's \"model\" is not a string";
            case CONFLICTING -> "the request body names more than one model in top-level \"model\" fields";
        };
    }
}
