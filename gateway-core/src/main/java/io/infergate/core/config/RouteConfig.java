package io.infergate.core.config;

import io.infergate.core.recovery.RecoveryScope;
import io.infergate.core.admission.AdmissionSettings;
import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.RetryPolicy;

import java.util.List;
import java.util.Set;

/**
 * One route: which requests it takes, how it rewrites their path, and the upstreams it tries in order.
 * {@code fallbackOn} names 4xx error codes ({@code context_length_exceeded}, ...) that send a request
 * on to the next upstream once instead of to the client.
 *
 * @param admission     the route's in-flight limits, queue and load thresholds
 * @param load          where its endpoints' load is read from
 * @param recovery      where a stream that broke after content reached the client may be continued
 * @param reserveTokens the tokens a request without {@code max_new_tokens} / {@code max_tokens} reserves
 *                      against its tenant's {@code tokensPerMinute}
 */
public record RouteConfig(
        String name,
        RouteMatch match,
        boolean stripPrefix,
        Timeouts timeouts,
        HeartbeatConfig heartbeat,
        RetryPolicy retry,
        BreakerSettings breaker,
        AdmissionSettings admission,
        LoadConfig load,
        int reserveTokens,
        Set<String> fallbackOn,
        RecoveryScope recovery,
        List<UpstreamConfig> upstreams) {

    public RouteConfig {
        fallbackOn = Set.copyOf(fallbackOn);
        upstreams = List.copyOf(upstreams);
    }

    /** The first upstream; the rest are fallbacks. */
    public UpstreamConfig primary() {
        return upstreams.get(0);
    }
}
