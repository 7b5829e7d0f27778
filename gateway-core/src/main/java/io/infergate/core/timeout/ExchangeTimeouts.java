package io.infergate.core.timeout;

import io.infergate.core.config.Timeouts;
import io.infergate.core.error.GatewayError;

/**
 * The first-byte, first-token, stream-idle and total clocks of one exchange, checked by a single timer. Phases
 * only stamp times; the timer asks {@link #expired} and, if nothing has, {@link #nextCheckIn} says
 * when the earliest clock could possibly run out. No check is ever late, and a short exchange
 * schedules one timer in all.
 * <p>
 * The connect timeout is not here: the socket layer enforces it while connecting.
 */
public final class ExchangeTimeouts {

    private static final long NOT_YET = Long.MIN_VALUE;

    private final long firstByteNanos;
    private final long streamIdleNanos;
    private final long firstTokenNanos;
    private final long totalDeadline;
    private long requestSentAt = NOT_YET;
    private long lastResponseActivity = NOT_YET;
    private long firstEventAwaitedSince = NOT_YET;

    public ExchangeTimeouts(Timeouts timeouts, long startNanos) {
        this(timeouts, startNanos, timeouts.total().toNanos());
    }

    /** @param totalNanos the request's total timeout, which a client's own deadline may have shortened */
    public ExchangeTimeouts(Timeouts timeouts, long startNanos, long totalNanos) {
        this.firstByteNanos = timeouts.firstByte().toNanos();
        this.streamIdleNanos = timeouts.streamIdle().toNanos();
        this.firstTokenNanos = timeouts.firstToken() == null ? Long.MAX_VALUE : timeouts.firstToken().toNanos();
        this.totalDeadline = startNanos + totalNanos;
    }

    /** The whole request is on its way upstream: the first-byte clock starts. */
    public void requestSent(long now) {
        requestSentAt = now;
    }

    /** An attempt was given up before its response: the first-byte clock waits for the next one. */
    public void attemptEnded() {
        requestSentAt = NOT_YET;
        lastResponseActivity = NOT_YET;
        firstEventAwaitedSince = NOT_YET;
    }

    /**
     * A stream's head arrived and the gateway waits for its first event before relaying it: the
     * first-token clock starts, if the route has one.
     */
    public void firstEventAwaited(long now) {
        if (firstTokenNanos != Long.MAX_VALUE) {
            firstEventAwaitedSince = now;
        }
    }

    /** The first event arrived, or the stream is relayed without waiting for it: the first-token clock stops. */
    public void firstEventSettled() {
        firstEventAwaitedSince = NOT_YET;
    }

    /** The moment the total deadline passes, in ticker nanoseconds. */
    public long deadline() {
        return totalDeadline;
    }

    /** What is left of the total deadline at {@code now}; negative once it has passed. */
    public long nanosLeft(long now) {
        return totalDeadline - now;
    }

    /** The response head or a body chunk arrived: the first-byte clock stops, the idle clock restarts. */
    public void responseActivity(long now) {
        lastResponseActivity = now;
    }

    /** The clock that has run out at {@code now}, the total deadline first; {@code null} when none has. */
    public GatewayError expired(long now) {
        if (now - totalDeadline >= 0) {
            return GatewayError.DEADLINE_EXCEEDED;
        }
        if (firstEventAwaitedSince != NOT_YET && now - firstEventAwaitedSince >= firstTokenNanos) {
            return GatewayError.FIRST_TOKEN_TIMEOUT;
        }
        if (responseStarted()) {
            return now - lastResponseActivity >= streamIdleNanos ? GatewayError.STREAM_IDLE_TIMEOUT : null;
        }
        if (requestSentAt != NOT_YET && now - requestSentAt >= firstByteNanos) {
            return GatewayError.FIRST_BYTE_TIMEOUT;
        }
        return null;
    }

    /** Nanoseconds from {@code now} until the earliest moment any clock could run out; at least 1. */
    public long nextCheckIn(long now) {
        long next = totalDeadline - now;
        if (firstEventAwaitedSince != NOT_YET) {
            next = Math.min(next, firstEventAwaitedSince + firstTokenNanos - now);
        }
        if (responseStarted()) {
            next = Math.min(next, lastResponseActivity + streamIdleNanos - now);
        } else {
            // The response may start any moment, after which silence could end it streamIdle later,
            // or a stream's first event be awaited for firstToken.
            next = Math.min(next, Math.min(streamIdleNanos, firstTokenNanos));
            long firstByte = requestSentAt == NOT_YET ? firstByteNanos : requestSentAt + firstByteNanos - now;
            next = Math.min(next, firstByte);
        }
        return Math.max(1, next);
    }

    private boolean responseStarted() {
        return lastResponseActivity != NOT_YET;
    }
}
