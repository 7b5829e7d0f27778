package io.infergate.core.config;

import io.infergate.core.resilience.BreakerSettings;

import java.util.List;

/** Binds a {@code breaker:} map over a base, key by key, like {@link TimeoutsBinder}. */
final class BreakerBinder {

    static final List<String> KEYS = List.of("failures", "window", "openFor", "halfOpenProbes");

    private BreakerBinder() {}

    static BreakerSettings bind(ConfigNode breaker, BreakerSettings base) {
        breaker.checkMap(KEYS);
        return new BreakerSettings(
                breaker.get("failures").integer(base.failures(), 1, 10_000),
                breaker.get("window").positiveDuration(base.window()),
                breaker.get("openFor").positiveDuration(base.openFor()),
                breaker.get("halfOpenProbes").integer(base.halfOpenProbes(), 1, 1000));
    }
}
