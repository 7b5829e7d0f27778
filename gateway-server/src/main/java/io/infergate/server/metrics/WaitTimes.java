package io.infergate.server.metrics;

/**
 * The parts of an exchange's time that are neither the queue nor the last attempt: the client
 * sending its body, holds for warming endpoints, and the earlier attempts with their backoffs.
 */
final class WaitTimes {

    private static final long UNSET = ExchangeRecord.UNSET;

    private long bodyNanos;
    private long warmNanos;
    /** {@link #warmNanos} as it stood when the first and the last attempt started. */
    private long warmAtFirstAttempt;
    private long warmAtLastAttempt;
    private long firstAttemptNanos = UNSET;
    private long lastAttemptNanos = UNSET;

    void body(long nanos) {
        bodyNanos = nanos;
    }

    void warmed(long nanos) {
        warmNanos += nanos;
    }

    void attemptStarted(long nowNanos) {
        if (firstAttemptNanos == UNSET) {
            firstAttemptNanos = nowNanos;
            warmAtFirstAttempt = warmNanos;
        }
        lastAttemptNanos = nowNanos;
        warmAtLastAttempt = warmNanos;
    }

    /** Receiving the client's body, from its head. */
    long bodyNanos() {
        return bodyNanos;
    }

    /** Held for warming endpoints, all told. */
    long warmNanos() {
        return warmNanos;
    }

    /** The earlier attempts and the pauses between them: first attempt to last, less the cold-start holds between. */
    long retryNanos() {
        return firstAttemptNanos == UNSET ? 0
                : Math.max(0, lastAttemptNanos - firstAttemptNanos - (warmAtLastAttempt - warmAtFirstAttempt));
    }
}
