package io.infergate.sim;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * Misbehaviour to inject into generation requests. JSON (for {@code POST /_sim/faults}) uses the same
 * field names; absent fields are off. Token counts are 1-based: {@code stallAfterTokens: 3} sends three
 * tokens, then nothing.
 *
 * @param errorRate                   probability (0..1) of answering 500 {@code {"error":...,"error_type":"generation"}}
 *                                    before any response head
 * @param hangBeforeHead              read the request, never answer
 * @param stallAfterTokens            after this many tokens stop sending, keep the connection (and batch slot) open
 * @param resetAfterTokens            after this many tokens reset the connection (TCP RST)
 * @param trickle                     send the whole response at one byte per second
 * @param malformedHttp               answer with an invalid status line, then close
 * @param invalidJsonEventAfterTokens after this many token events, one {@code data: {not json} event
 *                                    (non-streaming: the body is {@code {not json})
 * @param count                       apply to the next {@code count} generation requests; null: to all of them
 */
@JsonInclude(JsonInclude.Include.ALWAYS)
public record Faults(double errorRate, boolean hangBeforeHead, Integer stallAfterTokens, Integer resetAfterTokens,
                     boolean trickle, boolean malformedHttp, Integer invalidJsonEventAfterTokens, Integer count) {

    private static final Faults NONE = new Faults(0, false, null, null, false, false, null, null);

    public Faults {
        if (!(errorRate >= 0 && errorRate <= 1)) {
            throw new IllegalArgumentException("errorRate: " + errorRate + " (expected: 0..1)");
        }
        positive("stallAfterTokens", stallAfterTokens);
        positive("resetAfterTokens", resetAfterTokens);
        positive("invalidJsonEventAfterTokens", invalidJsonEventAfterTokens);
        if (count != null && count < 0) {
            throw new IllegalArgumentException("count: " + count + " (expected: >= 0, or absent for every request)");
        }
    }

    private static void positive(String name, Integer value) {
        if (value != null && value < 1) {
            throw new IllegalArgumentException(name + ": " + value + " (expected: >= 1)");
        }
    }

    public static Faults none() {
        return NONE;
    }

    /** Whether this injects anything at all. */
    public boolean active() {
        return (count == null || count > 0) && (errorRate > 0 || hangBeforeHead || stallAfterTokens != null
                || resetAfterTokens != null || trickle || malformedHttp || invalidJsonEventAfterTokens != null);
    }

    public Faults withErrorRate(double rate) {
        return new Faults(rate, hangBeforeHead, stallAfterTokens, resetAfterTokens, trickle, malformedHttp,
                invalidJsonEventAfterTokens, count);
    }

    public Faults withHangBeforeHead(boolean on) {
        return new Faults(errorRate, on, stallAfterTokens, resetAfterTokens, trickle, malformedHttp,
                invalidJsonEventAfterTokens, count);
    }

    public Faults withStallAfterTokens(Integer tokens) {
        return new Faults(errorRate, hangBeforeHead, tokens, resetAfterTokens, trickle, malformedHttp,
                invalidJsonEventAfterTokens, count);
    }

    public Faults withResetAfterTokens(Integer tokens) {
        return new Faults(errorRate, hangBeforeHead, stallAfterTokens, tokens, trickle, malformedHttp,
                invalidJsonEventAfterTokens, count);
    }

    public Faults withTrickle(boolean on) {
        return new Faults(errorRate, hangBeforeHead, stallAfterTokens, resetAfterTokens, on, malformedHttp,
                invalidJsonEventAfterTokens, count);
    }

    public Faults withMalformedHttp(boolean on) {
        return new Faults(errorRate, hangBeforeHead, stallAfterTokens, resetAfterTokens, trickle, on,
                invalidJsonEventAfterTokens, count);
    }

    public Faults withInvalidJsonEventAfterTokens(Integer tokens) {
        return new Faults(errorRate, hangBeforeHead, stallAfterTokens, resetAfterTokens, trickle, malformedHttp,
                tokens, count);
    }

    /** Limits these faults to the next {@code requests} generation requests; null: every request. */
    public Faults withCount(Integer requests) {
        return new Faults(errorRate, hangBeforeHead, stallAfterTokens, resetAfterTokens, trickle, malformedHttp,
                invalidJsonEventAfterTokens, requests);
    }
}
