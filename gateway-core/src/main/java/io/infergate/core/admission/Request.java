package io.infergate.core.admission;

import java.time.Duration;

/**
 * What admission needs to know about one request: who sent it, at which tier, when it arrived and
 * the absolute time (on the route's {@code Ticker}) by which it must have finished.
 */
public record Request(String tenant, Tier tier, long arrivalNanos, long deadlineNanos) {

    /** The most an answer is planned ahead of the deadline. */
    static final long MAX_MARGIN_NANOS = Duration.ofSeconds(1).toNanos();

    public Request {
        if (tenant == null || tier == null) {
            throw new IllegalArgumentException("tenant and tier are required");
        }
    }

    /**
     * When the answer should be on its way, ahead of the deadline by a tenth of the time the request
     * had here (at most a second). The client's clock started before the request reached the gateway
     * and stops only once the answer is back, so a request forwarded to finish exactly at its deadline
     * finishes after the client's: the margin pays for both ways and for a service time that varies.
     */
    public long answerByNanos() {
        return deadlineNanos - Math.min(MAX_MARGIN_NANOS, Math.max(0, deadlineNanos - arrivalNanos) / 10);
    }
}
