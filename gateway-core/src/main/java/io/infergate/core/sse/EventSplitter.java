package io.infergate.core.sse;

import io.netty.buffer.ByteBuf;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Cuts an event stream into whole events as its chunks come, for a stream that may have to be
 * continued: only whole events go to the client, so a break never leaves it half an event that
 * another upstream's stream could not finish. Each event keeps its bytes as they came, its blank
 * line included; lines end in LF, CRLF or CR.
 */
public final class EventSplitter {

    /** One whole event: its bytes as received, and its {@code data} lines joined as a parser would. */
    public record Event(byte[] bytes, String data) {}

    private byte[] pending = new byte[256];
    private int length;
    /** Where the current line starts in {@code pending}. */
    private int lineStart;
    private boolean afterCr;

    /** The events the chunk completes; its bytes are read, its indexes left untouched. */
    public List<Event> feed(ByteBuf chunk) {
        List<Event> events = new ArrayList<>(2);
        int end = chunk.writerIndex();
        for (int i = chunk.readerIndex(); i < end; i++) {
            byte b = chunk.getByte(i);
            if (afterCr && b == '\n') {
                afterCr = false;
                if (length == 0) {
                    continue; // the second half of the CRLF that ended the last event
                }
                append(b);
                lineStart = length;
                continue;
            }
            afterCr = b == '\r';
            append(b);
            if (b == '\r' || b == '\n') {
                boolean blank = length - 1 == lineStart;
                lineStart = length;
                if (blank) {
                    if (length == 1) {
                        length = 0; // a stray line end between events
                        lineStart = 0;
                    } else {
                        events.add(take());
                    }
                }
            }
        }
        return events;
    }

    /** Whether bytes of an unfinished event are waiting. */
    public boolean holding() {
        return length > 0;
    }

    private void append(byte b) {
        if (length == pending.length) {
            pending = Arrays.copyOf(pending, length * 2);
        }
        pending[length++] = b;
    }

    private Event take() {
        byte[] bytes = Arrays.copyOf(pending, length);
        length = 0;
        lineStart = 0;
        return new Event(bytes, data(bytes));
    }

    /** The event's {@code data} fields joined by LF; empty when it has none (a comment). */
    static String data(byte[] bytes) {
        String text = new String(bytes, StandardCharsets.UTF_8);
        StringBuilder data = null;
        for (String line : text.split("\r\n|\r|\n")) {
            if (line.startsWith("data:")) {
                String value = line.substring(line.startsWith("data: ") ? 6 : 5);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
        }
        return data == null ? "" : data.toString();
    }
}
