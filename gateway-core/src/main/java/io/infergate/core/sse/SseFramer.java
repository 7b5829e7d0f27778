package io.infergate.core.sse;

import io.netty.buffer.ByteBuf;
import io.netty.util.ByteProcessor;

import java.nio.charset.StandardCharsets;

/**
 * Follows an event stream as its chunks pass, without copying or changing them, and knows whether
 * the bytes so far end at an event boundary: the only place where a {@code : keep-alive} comment can
 * be inserted without changing what a client's parser dispatches (WHATWG HTML §9.2.6).
 * <p>
 * Lines end in LF, CRLF or CR, and a CRLF may be split across chunks. A line with anything on it
 * (a field or a comment) opens an event in the parser's buffers; a blank line closes it. A leading
 * byte-order mark is noted and otherwise ignored: the parser strips it only at the very start.
 * <p>
 * It also keeps the first bytes of the last event that was not a comment, so the relay can tell a
 * stream that ended with its protocol's final event from one that was cut short.
 */
public final class SseFramer {

    private static final byte CR = '\r';
    private static final byte LF = '\n';
    private static final byte[] BOM = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF};
    private static final int EVENT_HEAD_BYTES = 512;

    private final ByteProcessor scanner = this::accept;
    private int bomMatched;
    private boolean started;
    private boolean leadingBom;
    private boolean lineEmpty = true;
    private boolean eventOpen;
    private boolean afterCr;
    private long eventsCompleted;
    private long fieldEventsCompleted;
    private final byte[] eventHead = new byte[EVENT_HEAD_BYTES];
    private int eventHeadLength;
    private String lastEventHead = "";
    private String previousEventHead = "";

    /** Scans the readable bytes of {@code chunk}; its indexes are left untouched. */
    public void feed(ByteBuf chunk) {
        if (chunk.isReadable()) {
            chunk.forEachByte(scanner);
        }
    }

    /** Whether a comment written now would sit between two events, never inside one. */
    public boolean atEventBoundary() {
        return lineEmpty && !eventOpen && bomMatched == 0;
    }

    /** Events closed by a blank line so far (comment-only events included). */
    public long eventsCompleted() {
        return eventsCompleted;
    }

    /** Events closed so far that had a field, not only comments: what a client's parser dispatches. */
    public long fieldEventsCompleted() {
        return fieldEventsCompleted;
    }

    /** The first bytes (up to 512) of the last complete event that was not only comments; line ends as LF. */
    public String lastEventHead() {
        return lastEventHead;
    }

    /** The head of the event before the last one: where OpenAI streams put their usage, before {@code [DONE]}. */
    public String previousEventHead() {
        return previousEventHead;
    }

    /** Whether the stream began with a byte-order mark, which must stay first to be stripped. */
    public boolean leadingBom() {
        return leadingBom;
    }

    private boolean accept(byte b) {
        if (!started) {
            if (bomMatched < BOM.length && b == BOM[bomMatched]) {
                if (++bomMatched == BOM.length) {
                    leadingBom = true;
                    bomMatched = 0;
                    started = true;
                }
                return true;
            }
            started = true;
            if (bomMatched > 0) {
                // A partial mark was ordinary text after all.
                bomMatched = 0;
                lineEmpty = false;
            }
        }
        if (afterCr) {
            afterCr = false;
            if (b == LF) {
                return true; // the second half of a CRLF
            }
        }
        if (b == CR || b == LF) {
            endLine();
            afterCr = b == CR;
        } else {
            lineEmpty = false;
            keep(b);
        }
        return true;
    }

    private void keep(byte b) {
        if (eventHeadLength < EVENT_HEAD_BYTES) {
            eventHead[eventHeadLength++] = b;
        }
    }

    private void endLine() {
        if (lineEmpty) {
            if (eventOpen) {
                eventsCompleted++;
                eventOpen = false;
                if (eventHead[0] != ':') {
                    fieldEventsCompleted++;
                    previousEventHead = lastEventHead;
                    lastEventHead = new String(eventHead, 0, eventHeadLength, StandardCharsets.UTF_8);
                }
                eventHeadLength = 0;
            }
        } else {
            eventOpen = true;
            lineEmpty = true;
            keep(LF);
        }
    }
}
