package io.infergate.core.timeout;

import io.infergate.core.config.Timeouts;
import io.infergate.core.error.GatewayError;

/**
 * The first-byte, first-token, stream-idle and total clocks of one exchange, and the client's own
 * two (its body arriving, and it taking the response), checked by a single timer. Phases
 * only stamp times; the timer asks {@link #expired} and, if nothing has, {@link #nextCheckIn} says
 * when the earliest clock could possibly run out. No check is ever late, and a short exchange
 * schedules one timer in all.
 * <p>
 * The connect timeout is not here: the socket layer enforces it while connecting.
 * <p>
 * A clock that runs out by the client's fault says so, never the upstream's: the total deadline
 * passing while the body is still arriving is {@code client_timeout}, and while the client is not
 * reading, {@code client_write_timeout}; the upstream's idle clock stands still while the gateway
 * has stopped reading it for a slow client.
 */
public final class ExchangeTimeouts {

    private static final long NOT_YET = Long.MIN_VALUE;

    private final long firstByteNanos;
    private final long streamIdleNanos;
    private final long firstTokenNanos;
    private final long totalDeadline;
    private final long bodyDeadline;
    private final long writeNanos;
    private boolean bodyReceived;
    private long writeStalledSince = NOT_YET;
    private long requestSentAt = NOT_YET;
    private long lastResponseActivity = NOT_YET;
    private long firstEventAwaitedSince = NOT_YET;

    /**
     * @param totalNanos the request's total timeout, which a client's own deadline may have shortened
     * @param bodyNanos  how long the client may take to send its body (it is cut to {@code totalNanos})
     * @param writeNanos how long the client may leave the gateway unable to write to it
     */
    public ExchangeTimeouts(Timeouts timeouts, long startNanos, long totalNanos, long bodyNanos, long writeNanos) {
        this.firstByteNanos = timeouts.firstByte().toNanos();
        this.streamIdleNanos = timeouts.streamIdle().toNanos();
        this.firstTokenNanos = timeouts.firstToken() == null ? Long.MAX_VALUE : timeouts.firstToken().toNanos();
        this.totalDeadline = startNanos + totalNanos;
        this.bodyDeadline = startNanos + Math.min(bodyNanos, totalNanos);
        this.writeNanos = writeNanos;
    }

    /** The client's whole request body is in: its clock stops. */
    public void bodyReceived() {
        bodyReceived = true;
    }

    /** The client's buffer is full and the relay waits for it: the write clock starts, the upstream's idle clock stops. */
    public void clientStalled(long now) {
        if (writeStalledSince == NOT_YET) {
            writeStalledSince = now;
        }
    }

    /** The client took enough of its buffer to write on: the upstream's idle clock starts again from now. */
    public void clientDrained(long now) {
        if (writeStalledSince != NOT_YET) {
            writeStalledSince = NOT_YET;
            if (responseStarted()) {
                lastResponseActivity = now;
            }
        }
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

    /** The clock that has run out at {@code now}, the client's and the total deadline first; {@code null} when none has. */
    public GatewayError expired(long now) {
        if (!bodyReceived && now - bodyDeadline >= 0) {
            return GatewayError.CLIENT_TIMEOUT;
        }
        boolean stalled = writeStalledSince != NOT_YET;
        if (stalled && (now - writeStalledSince >= writeNanos || now - totalDeadline >= 0)) {
            return GatewayError.CLIENT_WRITE_TIMEOUT;
        }
        if (now - totalDeadline >= 0) {
            return GatewayError.DEADLINE_EXCEEDED;
        }
        if (firstEventAwaitedSince != NOT_YET && now - firstEventAwaitedSince >= firstTokenNanos) {
            return GatewayError.FIRST_TOKEN_TIMEOUT;
        }
        if (responseStarted()) {
            return !stalled && now - lastResponseActivity >= streamIdleNanos ? GatewayError.STREAM_IDLE_TIMEOUT : null;
        }
        if (requestSentAt != NOT_YET && now - requestSentAt >= firstByteNanos) {
            return GatewayError.FIRST_BYTE_TIMEOUT;
        }
        return null;
    }

    /** Nanoseconds from {@code now} until the earliest moment any clock could run out; at least 1. */
    public long nextCheckIn(long now) {
        long next = totalDeadline - now;
        if (!bodyReceived) {
            next = Math.min(next, bodyDeadline - now);
        }
        // The client may stall any moment, after which it could be cut writeTimeout later.
        next = Math.min(next, writeStalledSince == NOT_YET ? writeNanos : writeNanos - (now - writeStalledSince));
        if (firstEventAwaitedSince != NOT_YET) {
            next = Math.min(next, firstEventAwaitedSince + firstTokenNanos - now);
        }
        if (responseStarted()) {
            if (writeStalledSince == NOT_YET) {
                next = Math.min(next, lastResponseActivity + streamIdleNanos - now);
            }
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
