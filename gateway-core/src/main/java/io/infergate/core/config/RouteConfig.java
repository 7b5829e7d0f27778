package io.infergate.core.config;

import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.RetryPolicy;

import java.util.List;

/** One route: which requests it takes, how it rewrites their path, and the upstreams it tries in order. */
public record RouteConfig(
        String name,
        RouteMatch match,
        boolean stripPrefix,
        Timeouts timeouts,
        HeartbeatConfig heartbeat,
        RetryPolicy retry,
        BreakerSettings breaker,
        List<UpstreamConfig> upstreams) {

    public RouteConfig {
        upstreams = List.copyOf(upstreams);
    }

    /** The first upstream; the rest are fallbacks. */
    public UpstreamConfig primary() {
        return upstreams.get(0);
    }
}
