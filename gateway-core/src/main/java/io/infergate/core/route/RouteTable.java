package io.infergate.core.route;

import io.infergate.core.Ticker;
import io.infergate.core.config.EndpointUrl;
import io.infergate.core.config.GatewayConfig;
import io.infergate.core.config.LoadConfig;
import io.infergate.core.config.RouteConfig;
import io.infergate.core.config.TlsConfig;
import io.infergate.core.config.UpstreamConfig;
import io.infergate.core.resilience.CircuitBreaker;
import io.infergate.core.resilience.RetryBudget;
import io.infergate.core.resilience.RetryPolicy;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.core.upstream.Warming;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Routes compiled from one config, ordered for longest-prefix matching (at one prefix, the routes
 * that match by model before the one that takes any). Endpoints are created once and shared by every
 * route that names the same URL with the same TLS settings.
 */
public final class RouteTable {

    private static final Duration BUDGET_WINDOW = Duration.ofSeconds(10);

    private final List<Route> routesLongestFirst;
    private final Collection<Endpoint> endpoints;
    /** The models served, for {@code /v1/models}; empty when no route matches by model. */
    private final ModelCatalog models;

    private RouteTable(List<Route> routes, Collection<Endpoint> endpoints, ModelCatalog models) {
        this.routesLongestFirst = routes;
        this.endpoints = endpoints;
        this.models = models;
    }

    public static RouteTable compile(GatewayConfig config) {
        return compile(config, Ticker.SYSTEM, transition -> { }, null);
    }

    /** A table made afresh, for the gateway's start. */
    public static RouteTable compile(GatewayConfig config, Ticker ticker, Consumer<CircuitBreaker.Transition> onTransition) {
        return compile(config, ticker, onTransition, null);
    }

    /**
     * @param onTransition told of every breaker's phase changes; an endpoint shared by several routes
     *                     takes its breaker settings from the first route that names it
     * @param previous     the table this one replaces on a reload, or null. State carries over by
     *                     identity: an endpoint with the same URL and TLS settings is the same
     *                     {@link Endpoint} (its breaker, warming, load and in-flight count, the
     *                     breaker taking the new settings); a route with the same name keeps its
     *                     admission queue and permits, judged again against its new limits
     */
    public static RouteTable compile(GatewayConfig config, Ticker ticker, Consumer<CircuitBreaker.Transition> onTransition,
                                     RouteTable previous) {
        Map<Object, Endpoint> kept = new LinkedHashMap<>();
        if (previous != null) {
            previous.endpoints.forEach(endpoint -> kept.put(identity(endpoint.url(), endpoint.tls()), endpoint));
        }
        Map<Object, Endpoint> endpoints = new LinkedHashMap<>();
        List<Route> routes = new ArrayList<>();
        for (RouteConfig routeConfig : config.routes()) {
            Route before = previous == null ? null : previous.byName(routeConfig.name());
            List<Upstream> upstreams = new ArrayList<>();
            for (UpstreamConfig upstreamConfig : routeConfig.upstreams()) {
                List<Endpoint> members = upstreamConfig.endpoints().stream()
                        .map(url -> endpoints.computeIfAbsent(identity(url, upstreamConfig.tls()),
                                key -> endpoint(kept.get(key), url, upstreamConfig, routeConfig, ticker, onTransition)))
                        .toList();
                Upstream keptUpstream = before == null ? null : before.upstream(upstreamConfig.name());
                Upstream upstream = new Upstream(upstreamConfig, members, budget(keptUpstream, routeConfig.retry(), ticker));
                if (keptUpstream != null) {
                    upstream.learntBy(keptUpstream);
                }
                upstreams.add(upstream);
            }
            routes.add(new Route(routeConfig, upstreams, ticker, before));
        }
        ModelCatalog models = new ModelCatalog(routes);
        routes.sort(Comparator.comparingInt((Route r) -> r.pathPrefix().length()).reversed()
                .thenComparing(r -> !r.byModel()));
        return new RouteTable(List.copyOf(routes), List.copyOf(endpoints.values()), models);
    }

    /**
     * The retry budget the same route's upstream of the same name had, while the settings stay: a
     * reload never hands an upstream that has been failing a fresh budget to retry into.
     */
    private static RetryBudget budget(Upstream kept, RetryPolicy retry, Ticker ticker) {
        if (kept != null && kept.retryBudget().hasSettings(retry.budgetPercent(), retry.minRetriesPerSecond())) {
            return kept.retryBudget();
        }
        return new RetryBudget(retry.budgetPercent(), retry.minRetriesPerSecond(), BUDGET_WINDOW, ticker);
    }

    private static Endpoint endpoint(Endpoint kept, EndpointUrl url, UpstreamConfig upstream, RouteConfig route,
                                     Ticker ticker, Consumer<CircuitBreaker.Transition> onTransition) {
        if (kept != null) {
            kept.breaker().reconfigure(route.breaker());
            return kept;
        }
        return new Endpoint(url, upstream.tls(),
                new CircuitBreaker(url.toString(), route.breaker(), ticker, onTransition), new Warming(ticker));
    }

    /** What makes two endpoints one: the same URL reached with the same TLS settings. */
    private static Object identity(EndpointUrl url, TlsConfig tls) {
        return List.of(url, tls);
    }

    /** The route called {@code name}, or null. */
    public Route byName(String name) {
        for (Route route : routesLongestFirst) {
            if (route.name().equals(name)) {
                return route;
            }
        }
        return null;
    }

    /** The endpoints of this table that {@code next} no longer has. */
    public List<Endpoint> endpointsGoneFrom(RouteTable next) {
        return endpoints.stream().filter(endpoint -> !next.endpoints.contains(endpoint)).toList();
    }

    /** The routes of this table that {@code next} has no route of the same name for. */
    public List<Route> routesGoneFrom(RouteTable next) {
        return routesLongestFirst.stream().filter(route -> next.byName(route.name()) == null).toList();
    }

    /** The route with the longest prefix of {@code path}, or {@code null} when none matches. */
    public Route match(String path) {
        Objects.requireNonNull(path, "path");
        for (Route route : routesLongestFirst) {
            if (route.matches(path)) {
                return route;
            }
        }
        return null;
    }

    /**
     * What {@code target}'s path says of its route: the route itself when no route there matches by
     * model (the same longest-prefix walk as {@link #match}, nothing more), else the routes the body's
     * {@code model} chooses among; null when no route matches the path.
     */
    public RouteChoice choose(String target) {
        List<Route> candidates = null;
        for (Route route : routesLongestFirst) {
            if (!route.matches(target)) {
                continue;
            }
            if (!route.byModel()) {
                if (candidates == null) {
                    return route;
                }
                candidates.add(route); // it takes any model, so nothing after it can win
                break;
            }
            if (candidates == null) {
                candidates = new ArrayList<>(4);
            }
            candidates.add(route);
        }
        return candidates == null ? null : new ModelChoice(candidates);
    }

    /** The models served by the routes that match by model. */
    public ModelCatalog models() {
        return models;
    }

    public List<Route> routes() {
        return routesLongestFirst;
    }

    /**
     * How long {@code endpoint}'s load reports are believed: as long as the first route that uses it
     * says ({@code load.staleAfter}), the default when none does.
     */
    public Duration staleAfter(Endpoint endpoint) {
        for (Route route : routesLongestFirst) {
            for (Upstream upstream : route.upstreams()) {
                if (upstream.endpoints().contains(endpoint)) {
                    return route.loadConfig().staleAfter();
                }
            }
        }
        return LoadConfig.DEFAULTS.staleAfter();
    }

    public Collection<Endpoint> endpoints() {
        return endpoints;
    }
}
