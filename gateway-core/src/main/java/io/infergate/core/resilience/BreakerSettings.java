package io.infergate.core.resilience;

import java.time.Duration;

/**
 * When an endpoint's breaker opens and how it recovers: {@code failures} failures inside a sliding
 * {@code window} open it for {@code openFor}; then {@code halfOpenProbes} requests test it.
 */
public record BreakerSettings(int failures, Duration window, Duration openFor, int halfOpenProbes) {

    public static final BreakerSettings DEFAULTS = new BreakerSettings(5, Duration.ofSeconds(30), Duration.ofSeconds(30), 1);

    public BreakerSettings {
        if (failures < 1) {
            throw new IllegalArgumentException("failures: " + failures + " (expected: >= 1)");
        }
        if (halfOpenProbes < 1) {
            throw new IllegalArgumentException("halfOpenProbes: " + halfOpenProbes + " (expected: >= 1)");
        }
        if (window.isNegative() || window.isZero() || openFor.isNegative() || openFor.isZero()) {
            throw new IllegalArgumentException("window and openFor must be positive");
        }
    }
}
