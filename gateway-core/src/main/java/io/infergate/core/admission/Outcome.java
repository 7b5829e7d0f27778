package io.infergate.core.admission;

import io.infergate.core.error.GatewayError;

/**
 * How one admission ended: a permit when admitted; for a request shed or refused by a full queue,
 * the whole seconds after which it is worth retrying ({@code Retry-After}, at least 1); otherwise
 * (a passed deadline, a cancellation) the verdict alone. A shed keeps the wait it predicted, for traces.
 */
public record Outcome(Verdict verdict, Permit permit, long retryAfterSeconds, long predictedWaitNanos) {

    private static final long SECOND = 1_000_000_000L;

    public Outcome {
        if (verdict == null || (verdict == Verdict.ADMITTED) != (permit != null)) {
            throw new IllegalArgumentException("a permit comes with, and only with, an admission: " + verdict);
        }
        if (verdict.saysWhenToComeBack() ? retryAfterSeconds < 1 : retryAfterSeconds != 0) {
            throw new IllegalArgumentException(verdict + " with Retry-After " + retryAfterSeconds);
        }
    }

    /** An outcome that predicted no wait. */
    public Outcome(Verdict verdict, Permit permit, long retryAfterSeconds) {
        this(verdict, permit, retryAfterSeconds, 0);
    }

    static Outcome admitted(Permit permit) {
        return new Outcome(Verdict.ADMITTED, permit, 0);
    }

    /** A shed (or a full queue) whose Retry-After is {@code waitNanos} in whole seconds, rounded up, at least 1. */
    static Outcome shed(Verdict verdict, long waitNanos) {
        long seconds = waitNanos / SECOND + (waitNanos % SECOND > 0 ? 1 : 0);
        return new Outcome(verdict, null, Math.max(1, seconds), waitNanos);
    }

    /** A refusal without Retry-After, or a cancellation. */
    static Outcome of(Verdict verdict) {
        return new Outcome(verdict, null, 0);
    }

    public boolean isAdmitted() {
        return verdict == Verdict.ADMITTED;
    }

    /** The error to answer with; {@code null} when admitted or cancelled. */
    public GatewayError error() {
        return verdict.error();
    }
}
