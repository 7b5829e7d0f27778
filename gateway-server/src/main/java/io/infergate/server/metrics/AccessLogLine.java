package io.infergate.server.metrics;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Arrays;

/**
 * Writes access log lines as UTF-8 JSON into a byte buffer it reuses, one line after another until
 * {@link #clear}: no reflection, no map, no intermediate string. Used by one thread at a time.
 *
 * <pre>{@code
 * {"time":"2026-05-01T12:00:00.000Z","requestId":"4f1c…","tenant":null,"route":"chat","upstream":"primary",
 *  "endpoint":"http://127.0.0.1:8000","method":"POST","path":"/v1/chat/completions","status":200,
 *  "outcome":"success","stream":false,"queueMs":0.0,"connectMs":0.0,"firstByteMs":812.4,"ttftMs":null,
 *  "totalMs":815.0,"bytesIn":164,"bytesOut":412,"promptTokens":12,"generatedTokens":40,"attempts":1,
 *  "retries":0,"fallback":false,"recovered":false,"traceId":"4bf92f3577b34da6a3ce929d0e0e4736"}
 * }</pre>
 * {@code traceId} is there only when the gateway traces ({@code tracing}).
 * Durations are milliseconds from the request's arrival ({@code queueMs} and {@code connectMs} are
 * the phases' own lengths) with one decimal; null where the phase did not happen. Tokens come from
 * TGI's {@code x-prompt-tokens} and {@code x-generated-tokens}; null when the upstream gave none, as
 * for streams. Only what an {@link ExchangeRecord} holds is written, so no credential can be: no
 * header, and the path without its query string.
 */
final class AccessLogLine {

    private static final DateTimeFormatter SECOND =
            DateTimeFormatter.ofPattern("uuuu-MM-dd'T'HH:mm:ss.").withZone(ZoneOffset.UTC);
    private static final byte[] HEX = "0123456789ABCDEF".getBytes(StandardCharsets.US_ASCII);
    private static final long NANOS_PER_TENTH_MS = 100_000;
    private static final int INITIAL_BYTES = 1024;
    /** What the buffer may keep between batches; a batch of enormous lines leaves a larger one behind for the collector. */
    private static final int MAX_KEPT_BYTES = 256 * 1024;

    private byte[] bytes = new byte[INITIAL_BYTES];
    private int size;
    /** The time up to its second, formatted once a second rather than once a line. */
    private long second = Long.MIN_VALUE;
    private byte[] secondText;

    /** One line, without its newline: for tests. */
    static String format(ExchangeRecord record) {
        AccessLogLine line = new AccessLogLine();
        line.append(record);
        return new String(line.bytes, 0, line.size - 1, StandardCharsets.UTF_8);
    }

    /** Appends {@code r}'s line and its newline. */
    void append(ExchangeRecord r) {
        ascii("{\"time\":\"");
        time(r.startEpochMillis());
        ascii("\",\"requestId\":");
        string(r.requestId());
        ascii(",\"tenant\":");
        string(r.tenant());
        ascii(",\"route\":");
        string(r.route());
        ascii(",\"upstream\":");
        string(r.upstream());
        ascii(",\"endpoint\":");
        string(r.endpoint());
        ascii(",\"method\":");
        string(r.method());
        ascii(",\"path\":");
        string(r.path());
        ascii(",\"status\":");
        number(r.status());
        ascii(",\"outcome\":");
        string(r.outcome());
        ascii(",\"stream\":");
        ascii(r.stream() ? "true" : "false");
        ascii(",\"queueMs\":");
        millis(r.queueNanos());
        ascii(",\"connectMs\":");
        millis(r.connectNanos());
        ascii(",\"firstByteMs\":");
        millis(r.firstByteNanos());
        ascii(",\"ttftMs\":");
        millis(r.firstEventNanos());
        ascii(",\"totalMs\":");
        millis(r.totalNanos());
        ascii(",\"bytesIn\":");
        number(r.bytesIn());
        ascii(",\"bytesOut\":");
        number(r.bytesOut());
        ascii(",\"promptTokens\":");
        count(r.promptTokens());
        ascii(",\"generatedTokens\":");
        count(r.generatedTokens());
        ascii(",\"attempts\":");
        number(r.attempts());
        ascii(",\"retries\":");
        number(r.retries());
        ascii(",\"fallback\":");
        ascii(r.fallback() ? "true" : "false");
        ascii(",\"recovered\":");
        ascii(r.recovered() ? "true" : "false");
        if (r.traceId() != null) {
            ascii(",\"traceId\":\"");
            ascii(r.traceId());
            ascii("\"");
        }
        ascii("}\n");
    }

    /** The lines appended since the last {@link #clear}, in {@code bytes()[0..size())}. */
    byte[] bytes() {
        return bytes;
    }

    int size() {
        return size;
    }

    /** Forgets what was appended after {@code size}: a line that failed halfway. */
    void truncate(int size) {
        this.size = size;
    }

    void clear() {
        size = 0;
        if (bytes.length > MAX_KEPT_BYTES) {
            bytes = new byte[INITIAL_BYTES];
        }
    }

    // ---- values --------------------------------------------------------------------------------

    private void time(long epochMillis) {
        long s = Math.floorDiv(epochMillis, 1000);
        if (s != second) {
            second = s;
            secondText = SECOND.format(Instant.ofEpochSecond(s)).getBytes(StandardCharsets.US_ASCII);
        }
        ensure(secondText.length + 4);
        System.arraycopy(secondText, 0, bytes, size, secondText.length);
        size += secondText.length;
        int ms = (int) Math.floorMod(epochMillis, 1000);
        bytes[size++] = (byte) ('0' + ms / 100);
        bytes[size++] = (byte) ('0' + ms / 10 % 10);
        bytes[size++] = (byte) ('0' + ms % 10);
        bytes[size++] = 'Z';
    }

    /** Nanoseconds as milliseconds with one decimal, rounded as {@link Math#round} does; null when unset. */
    private void millis(long nanos) {
        if (nanos == ExchangeRecord.UNSET) {
            ascii("null");
            return;
        }
        long tenths = Math.round(nanos / (double) NANOS_PER_TENTH_MS);
        if (tenths < 0) {
            ascii("-");
            tenths = -tenths;
        }
        number(tenths / 10);
        ensure(2);
        bytes[size++] = '.';
        bytes[size++] = (byte) ('0' + tenths % 10);
    }

    /** A count, or null when unknown (negative). */
    private void count(long value) {
        if (value < 0) {
            ascii("null");
        } else {
            number(value);
        }
    }

    private void number(long value) {
        if (value == Long.MIN_VALUE) {
            ascii(Long.toString(value));
            return;
        }
        ensure(20);
        if (value < 0) {
            bytes[size++] = '-';
            value = -value;
        }
        int digits = 1;
        for (long v = value; v >= 10; v /= 10) {
            digits++;
        }
        for (int i = size + digits - 1; i >= size; i--) {
            bytes[i] = (byte) ('0' + value % 10);
            value /= 10;
        }
        size += digits;
    }

    /**
     * A JSON string in UTF-8: quote, backslash and control characters escaped (newline and its kin
     * by their short forms, the rest as backslash, u and four hex digits), and a surrogate without
     * its pair escaped the same way so that the line stays valid UTF-8; null as {@code null}.
     */
    private void string(String s) {
        if (s == null) {
            ascii("null");
            return;
        }
        int length = s.length();
        ensure(length * 6 + 2); // at most six bytes a char: a control character escaped
        byte[] b = bytes;
        int n = size;
        b[n++] = '"';
        for (int i = 0; i < length; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c < 0x80) {
                if (c == '"' || c == '\\') {
                    b[n++] = '\\';
                }
                b[n++] = (byte) c;
            } else if (c < 0x20) {
                n = control(b, n, c);
            } else if (c < 0x800) {
                b[n++] = (byte) (0xC0 | c >> 6);
                b[n++] = (byte) (0x80 | c & 0x3F);
            } else if (Character.isHighSurrogate(c) && i + 1 < length && Character.isLowSurrogate(s.charAt(i + 1))) {
                int cp = Character.toCodePoint(c, s.charAt(++i));
                b[n++] = (byte) (0xF0 | cp >> 18);
                b[n++] = (byte) (0x80 | cp >> 12 & 0x3F);
                b[n++] = (byte) (0x80 | cp >> 6 & 0x3F);
                b[n++] = (byte) (0x80 | cp & 0x3F);
            } else if (Character.isSurrogate(c)) {
                n = unicodeEscape(b, n, c);
            } else {
                b[n++] = (byte) (0xE0 | c >> 12);
                b[n++] = (byte) (0x80 | c >> 6 & 0x3F);
                b[n++] = (byte) (0x80 | c & 0x3F);
            }
        }
        b[n++] = '"';
        size = n;
    }

    private static int control(byte[] b, int n, char c) {
        char shortForm = switch (c) {
            case '\n' -> 'n';
            case '\r' -> 'r';
            case '\t' -> 't';
            case '\b' -> 'b';
            case '\f' -> 'f';
            default -> 0;
        };
        if (shortForm == 0) {
            return unicodeEscape(b, n, c);
        }
        b[n++] = '\\';
        b[n++] = (byte) shortForm;
        return n;
    }

    private static int unicodeEscape(byte[] b, int n, char c) {
        b[n++] = '\\';
        b[n++] = 'u';
        b[n++] = HEX[c >> 12 & 0xF];
        b[n++] = HEX[c >> 8 & 0xF];
        b[n++] = HEX[c >> 4 & 0xF];
        b[n++] = HEX[c & 0xF];
        return n;
    }

    /** Text known to be ASCII and to need no escaping: the line's own syntax. */
    private void ascii(String text) {
        int length = text.length();
        ensure(length);
        for (int i = 0; i < length; i++) {
            bytes[size++] = (byte) text.charAt(i);
        }
    }

    private void ensure(int more) {
        if (size + more > bytes.length) {
            bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, size + more));
        }
    }
}
