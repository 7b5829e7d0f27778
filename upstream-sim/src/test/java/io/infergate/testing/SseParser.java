package io.infergate.testing;

import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * A strict server-sent events parser. It follows the WHATWG rules (UTF-8, one leading BOM stripped,
 * lines ending in LF, CRLF or CR, {@code :} comments, {@code data} lines joined with LF, dispatch on a
 * blank line) and fails on anything a TGI server never sends: fields other than {@code data}, a
 * {@code data:} without its space, several data lines in one event, a line without a colon, invalid
 * UTF-8, or a stream that ends inside an event. Bytes may be fed in any split.
 */
public final class SseParser {

    /** What the stream carried, in order: events and comments. */
    public sealed interface Item permits Event, Comment {}

    /** A dispatched event's data. */
    public record Event(String data) implements Item {}

    /** A comment line's text after the colon. */
    public record Comment(String text) implements Item {}

    /** The stream broke the rules. */
    public static final class SseViolation extends RuntimeException {
        SseViolation(String message) {
            super(message);
        }
    }

    private final List<Item> items = new ArrayList<>();
    private final ByteArrayOutputStream line = new ByteArrayOutputStream();
    private final List<String> dataLines = new ArrayList<>();
    private boolean afterCr;
    private boolean started;
    private long lineNumber;

    /** Parses a whole stream. */
    public static List<Item> parseAll(byte[] stream) {
        SseParser parser = new SseParser();
        parser.feed(stream, 0, stream.length);
        parser.finish();
        return parser.items();
    }

    public void feed(byte[] bytes) {
        feed(bytes, 0, bytes.length);
    }

    public void feed(byte[] bytes, int offset, int length) {
        for (int i = offset; i < offset + length; i++) {
            byte b = bytes[i];
            if (afterCr) {
                afterCr = false;
                if (b == '\n') {
                    continue; // the LF of a CRLF
                }
            }
            if (b == '\r') {
                afterCr = true;
                endLine();
            } else if (b == '\n') {
                endLine();
            } else {
                line.write(b);
            }
        }
    }

    /** The stream ended: fails if it ended inside a line or an event. */
    public void finish() {
        if (line.size() > 0) {
            throw new SseViolation("stream ended inside a line: " + line.toString(StandardCharsets.UTF_8));
        }
        if (!dataLines.isEmpty()) {
            throw new SseViolation("stream ended inside an event (no blank line after " + dataLines + ")");
        }
    }

    /** Everything dispatched so far. */
    public List<Item> items() {
        return List.copyOf(items);
    }

    /** The events' data so far. */
    public List<String> events() {
        return items.stream().filter(Event.class::isInstance).map(i -> ((Event) i).data()).toList();
    }

    public long comments() {
        return items.stream().filter(Comment.class::isInstance).count();
    }

    private void endLine() {
        lineNumber++;
        byte[] raw = line.toByteArray();
        line.reset();
        String text = decode(raw);
        if (!started) {
            started = true;
            if (text.startsWith("\uFEFF")) {
                text = text.substring(1);
            }
        }
        if (text.isEmpty()) {
            if (!dataLines.isEmpty()) {
                items.add(new Event(String.join("\n", dataLines)));
                dataLines.clear();
            }
            return;
        }
        if (text.startsWith(":")) {
            if (!dataLines.isEmpty()) {
                throw new SseViolation("line " + lineNumber + ": a comment inside an event");
            }
            items.add(new Comment(text.substring(1)));
            return;
        }
        int colon = text.indexOf(':');
        if (colon < 0) {
            throw new SseViolation("line " + lineNumber + ": a field without a colon: " + text);
        }
        String field = text.substring(0, colon);
        if (!field.equals("data")) {
            throw new SseViolation("line " + lineNumber + ": field '" + field + "' (TGI only sends data)");
        }
        if (!text.startsWith("data: ")) {
            throw new SseViolation("line " + lineNumber + ": 'data:' without the space after the colon");
        }
        if (!dataLines.isEmpty()) {
            throw new SseViolation("line " + lineNumber + ": a second data line in one event");
        }
        dataLines.add(text.substring("data: ".length()));
    }

    private String decode(byte[] raw) {
        try {
            return StandardCharsets.UTF_8.newDecoder()
                    .onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT)
                    .decode(ByteBuffer.wrap(raw)).toString();
        } catch (CharacterCodingException e) {
            throw new SseViolation("line " + lineNumber + ": invalid UTF-8");
        }
    }
}
