package io.infergate.server.upstream;

import java.time.Duration;

/**
 * Bounds of the per-loop pools. Idle connections are retired well before the usual 60 s keep-alive
 * of the servers and balancers in front of endpoints, so a request rarely meets a connection the
 * endpoint is closing.
 */
public record PoolSettings(int maxIdlePerEndpoint, Duration maxIdle) {

    public static final PoolSettings DEFAULTS = new PoolSettings(256, Duration.ofSeconds(30));

    long maxIdleNanos() {
        return maxIdle.toNanos();
    }
}
