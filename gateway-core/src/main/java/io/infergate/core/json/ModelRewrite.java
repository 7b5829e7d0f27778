package io.infergate.core.json;

import com.fasterxml.jackson.core.JsonFactory;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.io.JsonStringEncoder;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The top-level {@code "model"} of a JSON request body replaced by an upstream's {@code rewriteModel}.
 * Only the value's bytes change: whitespace, key order, number spellings and escapes elsewhere reach
 * the upstream as the client wrote them, so the request cannot come to mean anything else.
 *
 * <p>Every top-level {@code model} is replaced, duplicates included: which one counts is up to the
 * upstream's parser, so none may keep the old name. A value that is not a string (null, a number, an
 * object) is replaced as well, since the upstream is to see the configured name whatever the client
 * sent. Keys compare decoded, so <code>"mod&#92;u0065l"</code> is {@code model} too; {@code model} keys
 * inside other values are left alone.
 *
 * <p>The body is read with the streaming parser, never bound, in one pass that ends with the input.
 * Only a body that is one JSON object in UTF-8 (a BOM is fine) is rewritten.
 */
public final class ModelRewrite {

    private static final JsonFactory JSON = BodyJson.FACTORY;

    private static final Scan ABSENT = new Scan(Kind.ABSENT, List.of());
    private static final Scan NOT_JSON = new Scan(Kind.NOT_JSON, List.of());

    private ModelRewrite() {}

    /** What a body holds at its top level. */
    public enum Kind {
        /** A JSON object with at least one top-level {@code model}. */
        FOUND,
        /** A JSON object without a top-level {@code model}. */
        ABSENT,
        /**
         * Not a single JSON object in UTF-8: malformed or truncated, an array or other value, followed
         * by more than whitespace, or nested deeper than the parser allows (1000 levels).
         */
        NOT_JSON
    }

    /** A value's bytes, quotes or brackets included: {@code [start, end)} in the array that was scanned. */
    public record Span(int start, int end) {

        public int length() {
            return end - start;
        }
    }

    /** The top-level {@code model} values of a body, in order; empty unless {@link Kind#FOUND}. */
    public record Scan(Kind kind, List<Span> values) {}

    /** The body to send: rewritten when {@link Kind#FOUND}, otherwise the given bytes as they were. */
    public record Result(Kind kind, byte[] body) {}

    /**
     * Where {@code body[offset, offset + length)} holds its top-level {@code model} values, for a caller
     * that splices its own buffers around them with {@link #literal}. Never throws on what the bytes
     * say; a bad range throws {@link IndexOutOfBoundsException}.
     */
    public static Scan scan(byte[] body, int offset, int length) {
        Objects.checkFromIndexSize(offset, length, body.length);
        try (JsonParser parser = JSON.createParser(body, offset, length)) {
            // A body in UTF-16 or UTF-32 parses too, but has no byte offsets to splice at.
            if (parser.nextToken() != JsonToken.START_OBJECT || parser.currentTokenLocation().getByteOffset() < 0) {
                return NOT_JSON;
            }
            List<Span> values = new ArrayList<>(1);
            JsonToken token = parser.nextToken();
            for (; token == JsonToken.FIELD_NAME; token = parser.nextToken()) {
                boolean model = "model".equals(parser.currentName());
                parser.nextToken();
                if (model) {
                    long start = parser.currentTokenLocation().getByteOffset();
                    parser.skipChildren();
                    // A string is read lazily: only once it is finished does the location pass its quote.
                    parser.finishToken();
                    long end = parser.currentLocation().getByteOffset();
                    values.add(new Span(offset + (int) start, offset + (int) end));
                } else {
                    parser.skipChildren();
                }
            }
            if (token != JsonToken.END_OBJECT || parser.nextToken() != null) {
                return NOT_JSON;
            }
            return values.isEmpty() ? ABSENT : new Scan(Kind.FOUND, List.copyOf(values));
        } catch (IOException malformed) {
            return NOT_JSON;
        }
    }

    /**
     * {@code model} as a JSON string in UTF-8, quotes included: what goes where a value was.
     *
     * @throws IllegalArgumentException if {@code model} holds an unpaired surrogate, which has no UTF-8
     */
    public static byte[] literal(String model) {
        byte[] text = JsonStringEncoder.getInstance().quoteAsUTF8(model);
        byte[] quoted = new byte[text.length + 2];
        quoted[0] = '"';
        System.arraycopy(text, 0, quoted, 1, text.length);
        quoted[quoted.length - 1] = '"';
        return quoted;
    }

    /** {@link #rewrite(byte[], int, int, String)} over the whole array; unchanged, it is the same array. */
    public static Result rewrite(byte[] body, String model) {
        return rewrite(body, 0, body.length, model);
    }

    /**
     * {@code body[offset, offset + length)} with each top-level {@code model} value replaced by
     * {@code model}, in a new array. Unchanged, the body is those bytes: a copy unless they are the
     * whole array. Never throws on what the bytes say.
     *
     * @throws IllegalArgumentException if {@code model} holds an unpaired surrogate
     */
    public static Result rewrite(byte[] body, int offset, int length, String model) {
        byte[] literal = literal(model);
        Scan scan = scan(body, offset, length);
        if (scan.kind() != Kind.FOUND) {
            boolean whole = offset == 0 && length == body.length;
            return new Result(scan.kind(), whole ? body : Arrays.copyOfRange(body, offset, offset + length));
        }
        long size = length;
        for (Span value : scan.values()) {
            size += literal.length - value.length();
        }
        byte[] out = new byte[Math.toIntExact(size)];
        int from = offset;
        int to = 0;
        for (Span value : scan.values()) {
            System.arraycopy(body, from, out, to, value.start() - from);
            to += value.start() - from;
            System.arraycopy(literal, 0, out, to, literal.length);
            to += literal.length;
            from = value.end();
        }
        System.arraycopy(body, from, out, to, offset + length - from);
        return new Result(Kind.FOUND, out);
    }
}
