package io.infergate.core.config;

import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.RetryPolicy;

/** Settings every route inherits unless it overrides them key by key. */
public record RouteDefaults(Timeouts timeouts, HeartbeatConfig heartbeat, RetryPolicy retry, BreakerSettings breaker) {

    public static final RouteDefaults BUILTIN = new RouteDefaults(
            Timeouts.DEFAULTS, HeartbeatConfig.DEFAULTS, RetryPolicy.DEFAULTS, BreakerSettings.DEFAULTS);
}
