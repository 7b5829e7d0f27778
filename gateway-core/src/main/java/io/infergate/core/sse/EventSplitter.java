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

    private static final byte[] DATA_FIELD = "data:".getBytes(StandardCharsets.US_ASCII);

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
        StringBuilder data = null;
        int start = 0;
        while (start < bytes.length) {
            int end = start;
            while (end < bytes.length && bytes[end] != '\n' && bytes[end] != '\r') {
                end++;
            }
            if (startsWith(bytes, start, end, DATA_FIELD)) {
                int from = start + DATA_FIELD.length;
                from += from < end && bytes[from] == ' ' ? 1 : 0;
                String value = new String(bytes, from, end - from, StandardCharsets.UTF_8);
                data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
            }
            start = end + 1;
        }
        return data == null ? "" : data.toString();
    }

    private static boolean startsWith(byte[] bytes, int start, int end, byte[] prefix) {
        return end - start >= prefix.length && Arrays.equals(bytes, start, start + prefix.length, prefix, 0, prefix.length);
    }
}
