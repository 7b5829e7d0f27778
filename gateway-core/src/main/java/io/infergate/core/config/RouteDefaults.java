package io.infergate.core.config;

import io.infergate.core.admission.AdmissionSettings;
import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.RetryPolicy;

/**
 * Settings every route inherits unless it overrides them key by key.
 *
 * @param reserveTokens the tokens a request that states no {@code max_new_tokens} / {@code max_tokens}
 *                      reserves against its tenant's {@code tokensPerMinute} until its response tells
 */
public record RouteDefaults(Timeouts timeouts, HeartbeatConfig heartbeat, RetryPolicy retry, BreakerSettings breaker,
                            AdmissionSettings admission, LoadConfig load, int reserveTokens) {

    public static final int DEFAULT_RESERVE_TOKENS = 256;

    public static final RouteDefaults BUILTIN = new RouteDefaults(Timeouts.DEFAULTS, HeartbeatConfig.DEFAULTS,
            RetryPolicy.DEFAULTS, BreakerSettings.DEFAULTS, AdmissionSettings.DEFAULTS, LoadConfig.DEFAULTS,
            DEFAULT_RESERVE_TOKENS);
}
