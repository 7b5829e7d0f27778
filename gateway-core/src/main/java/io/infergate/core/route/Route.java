package io.infergate.core.route;

import io.infergate.core.config.HeartbeatConfig;
import io.infergate.core.config.RouteConfig;
import io.infergate.core.config.Timeouts;
import io.infergate.core.resilience.RetryPolicy;
import io.infergate.core.resilience.RetryRules;
import io.infergate.core.upstream.Upstream;

import java.util.List;
import java.util.Set;

/** A route compiled for the request path: its prefix, timeouts and upstreams in the order they are tried. */
public final class Route {

    private final String name;
    private final String pathPrefix;
    private final boolean stripPrefix;
    private final Timeouts timeouts;
    private final HeartbeatConfig heartbeat;
    private final RetryPolicy retry;
    private final RetryRules retryRules;
    private final Set<String> fallbackOn;
    private final boolean rewritesModel;
    private final List<Upstream> upstreams;

    Route(RouteConfig config, List<Upstream> upstreams) {
        this.name = config.name();
        this.pathPrefix = config.match().pathPrefix();
        this.stripPrefix = config.stripPrefix();
        this.timeouts = config.timeouts();
        this.heartbeat = config.heartbeat();
        this.retry = config.retry();
        this.retryRules = new RetryRules(config.retry(), config.fallbackOn());
        this.fallbackOn = config.fallbackOn();
        this.upstreams = List.copyOf(upstreams);
        this.rewritesModel = upstreams.stream().anyMatch(u -> u.rewriteModel() != null);
    }

    public String name() {
        return name;
    }

    public String pathPrefix() {
        return pathPrefix;
    }

    public Timeouts timeouts() {
        return timeouts;
    }

    public HeartbeatConfig heartbeat() {
        return heartbeat;
    }

    public RetryPolicy retry() {
        return retry;
    }

    public RetryRules retryRules() {
        return retryRules;
    }

    /** The 4xx error codes that send a request to the next upstream instead of to the client. */
    public Set<String> fallbackOn() {
        return fallbackOn;
    }

    public List<Upstream> upstreams() {
        return upstreams;
    }

    /** Whether an upstream of the route puts its own model name in the body. */
    public boolean rewritesModel() {
        return rewritesModel;
    }

    public Upstream primary() {
        return upstreams.get(0);
    }

    boolean matches(String path) {
        return path.startsWith(pathPrefix);
    }

    /**
     * The request target as the upstream should see it: the route prefix stripped when asked, the
     * endpoint's base path put in front. The query string passes untouched.
     */
    public String upstreamTarget(String requestTarget, String basePath) {
        String rest = requestTarget;
        if (stripPrefix) {
            rest = requestTarget.substring(pathPrefix.length());
            if (rest.isEmpty() || rest.charAt(0) != '/') {
                rest = "/" + rest;
            }
        }
        return basePath.isEmpty() ? rest : basePath + rest;
    }

    @Override
    public String toString() {
        return name;
    }
}
