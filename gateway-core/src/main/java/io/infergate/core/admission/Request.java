package io.infergate.core.admission;

/**
 * What admission needs to know about one request: who sent it, at which tier, when it arrived and
 * the absolute time (on the route's {@code Ticker}) by which it must have finished.
 */
public record Request(String tenant, Tier tier, long arrivalNanos, long deadlineNanos) {

    public Request {
        if (tenant == null || tier == null) {
            throw new IllegalArgumentException("tenant and tier are required");
        }
    }
}
