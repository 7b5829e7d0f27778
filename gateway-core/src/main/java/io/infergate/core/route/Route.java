package io.infergate.core.route;

import io.infergate.core.Ticker;
import io.infergate.core.admission.AdmissionController;
import io.infergate.core.admission.WaitEstimator;
import io.infergate.core.capacity.EndpointLimits;
import io.infergate.core.config.HeartbeatConfig;
import io.infergate.core.config.LoadConfig;
import io.infergate.core.config.ModelPattern;
import io.infergate.core.config.RouteConfig;
import io.infergate.core.config.Timeouts;
import io.infergate.core.load.NamedLoadHeaders;
import io.infergate.core.recovery.RecoveryScope;
import io.infergate.core.resilience.RetryPolicy;
import io.infergate.core.resilience.RetryRules;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;

/**
 * A route compiled for the request path: its prefix, the models it takes (none named: any), timeouts
 * and upstreams in the order they are tried. A route is also a {@link RouteChoice} settled at once.
 */
public final class Route implements RouteChoice {

    /** The service time the wait estimator assumes until it has seen a request end. */
    private static final Duration INITIAL_SERVICE_TIME = Duration.ofSeconds(1);

    private final String name;
    private final String pathPrefix;
    private final List<ModelPattern> models;
    private final boolean stripPrefix;
    private final Timeouts timeouts;
    private final HeartbeatConfig heartbeat;
    private final RetryPolicy retry;
    private final RetryRules retryRules;
    private final Set<String> fallbackOn;
    private final RecoveryScope recovery;
    private final boolean rewritesModel;
    private final LoadConfig loadConfig;
    private final int reserveTokens;
    private final EndpointLimits limits;
    private final RouteLoadView loadView;
    private final AdmissionController admission;
    private final List<Upstream> upstreams;

    /**
     * @param previous the route of the same name in the table this one replaces, or null: its
     *                 admission queue, permits and learned service time carry over to this route
     */
    Route(RouteConfig config, List<Upstream> upstreams, Ticker ticker, Route previous) {
        this.name = config.name();
        this.pathPrefix = config.match().pathPrefix();
        this.models = config.match().models();
        this.stripPrefix = config.stripPrefix();
        this.timeouts = config.timeouts();
        this.heartbeat = config.heartbeat();
        this.retry = config.retry();
        this.retryRules = new RetryRules(config.retry(), config.fallbackOn());
        this.fallbackOn = config.fallbackOn();
        this.recovery = config.recovery();
        this.upstreams = List.copyOf(upstreams);
        this.rewritesModel = upstreams.stream().anyMatch(u -> u.rewriteModel() != null);
        this.loadConfig = config.load();
        this.reserveTokens = config.reserveTokens();
        this.limits = config.admission() == null ? null
                : new EndpointLimits(this.upstreams, config.admission(), ticker, previous == null ? null : previous.limits);
        this.loadView = new RouteLoadView(this.upstreams, config.admission(), limits, loadConfig.staleAfter(), ticker);
        if (previous == null) {
            this.admission = new AdmissionController(config.admission(), loadView, loadView::routeLoad, new WaitEstimator(INITIAL_SERVICE_TIME), ticker);
        } else {
            this.admission = previous.admission;
            admission.reconfigure(config.admission(), loadView, loadView::routeLoad);
        }
    }

    public String name() {
        return name;
    }

    public String pathPrefix() {
        return pathPrefix;
    }

    /** The models the route takes, by name or glob; empty when it takes any. */
    public List<ModelPattern> models() {
        return models;
    }

    /** Whether the route is chosen by the model a request's body names. */
    public boolean byModel() {
        return !models.isEmpty();
    }

    /**
     * How specifically the route takes {@code model}: -1 when it does not, 0 when it takes any
     * model, else the most specific of its patterns that matches ({@link ModelPattern#specificity}).
     */
    int specificityFor(String model) {
        if (models.isEmpty()) {
            return 0;
        }
        int best = -1;
        for (ModelPattern pattern : models) {
            if (pattern.matches(model)) {
                best = Math.max(best, pattern.specificity());
            }
        }
        return best;
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

    /** Where a stream that broke after content reached the client may be continued. */
    public RecoveryScope recovery() {
        return recovery;
    }

    public List<Upstream> upstreams() {
        return upstreams;
    }

    /** The route's upstream called {@code name}, or null. */
    Upstream upstream(String name) {
        for (Upstream upstream : upstreams) {
            if (upstream.name().equals(name)) {
                return upstream;
            }
        }
        return null;
    }

    /** The load headers the route names beyond ORCA's and TGI's; null when none. */
    public NamedLoadHeaders loadHeaders() {
        return loadConfig.headers();
    }

    /** Where the route's endpoints' load is read from. */
    public LoadConfig loadConfig() {
        return loadConfig;
    }

    /** The tokens a request that states no {@code max_new_tokens} reserves against its tenant's limit. */
    public int reserveTokens() {
        return reserveTokens;
    }

    /** How loaded the route's endpoints are, for balancing and admission. */
    public RouteLoadView loadView() {
        return loadView;
    }

    /** Each endpoint's concurrency limit on this route; null when the route has no admission. */
    public EndpointLimits limits() {
        return limits;
    }

    /** The route's admission queue and permits. */
    public AdmissionController admission() {
        return admission;
    }

    /** Whether an upstream of the route puts its own model name in the body. */
    public boolean rewritesModel() {
        return rewritesModel;
    }

    public Upstream primary() {
        return upstreams.get(0);
    }

    /** Nanoseconds until the first of the route's open breakers lets a probe through; 0 when one is out now. */
    public long nanosUntilProbe() {
        long waitNanos = Long.MAX_VALUE;
        for (Upstream candidate : upstreams) {
            for (Endpoint endpoint : candidate.endpoints()) {
                waitNanos = Math.min(waitNanos, endpoint.breaker().nanosUntilProbe());
            }
        }
        return waitNanos;
    }

    /** Seconds until the first of the route's open breakers lets a probe through, rounded up; at least 1. */
    public long secondsUntilProbe() {
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(nanosUntilProbe() + TimeUnit.SECONDS.toNanos(1) - 1));
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
