package io.infergate.server.metrics;

/**
 * The parts of an exchange's time that are neither the queue nor the last attempt: the client
 * sending its body, holds for warming endpoints and for open breakers' probes, and the earlier
 * attempts with their backoffs.
 */
final class WaitTimes {

    private static final long UNSET = ExchangeRecord.UNSET;

    private long bodyNanos;
    private long warmNanos;
    private long breakerNanos;
    /** Both holds together as they stood when the first and the last attempt started. */
    private long heldAtFirstAttempt;
    private long heldAtLastAttempt;
    private long firstAttemptNanos = UNSET;
    private long lastAttemptNanos = UNSET;

    void body(long nanos) {
        bodyNanos = nanos;
    }

    void warmed(long nanos) {
        warmNanos += nanos;
    }

    void heldForBreaker(long nanos) {
        breakerNanos += nanos;
    }

    void attemptStarted(long nowNanos) {
        if (firstAttemptNanos == UNSET) {
            firstAttemptNanos = nowNanos;
            heldAtFirstAttempt = warmNanos + breakerNanos;
        }
        lastAttemptNanos = nowNanos;
        heldAtLastAttempt = warmNanos + breakerNanos;
    }

    /** Receiving the client's body, from its head. */
    long bodyNanos() {
        return bodyNanos;
    }

    /** Held for warming endpoints, all told. */
    long warmNanos() {
        return warmNanos;
    }

    /** Held until an open breaker's probe was due, all told. */
    long breakerNanos() {
        return breakerNanos;
    }

    /** The earlier attempts and the pauses between them: first attempt to last, less the holds between. */
    long retryNanos() {
        return firstAttemptNanos == UNSET ? 0
                : Math.max(0, lastAttemptNanos - firstAttemptNanos - (heldAtLastAttempt - heldAtFirstAttempt));
    }
}
