package io.infergate.core.route;

import io.infergate.core.Ticker;
import io.infergate.core.config.GatewayConfig;
import io.infergate.core.config.LoadConfig;
import io.infergate.core.config.RouteConfig;
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
 * Routes compiled from one config, ordered for longest-prefix matching. Endpoints are created once
 * and shared by every route that names the same URL with the same TLS settings.
 */
public final class RouteTable {

    private static final Duration BUDGET_WINDOW = Duration.ofSeconds(10);

    private final List<Route> routesLongestFirst;
    private final Collection<Endpoint> endpoints;

    private RouteTable(List<Route> routes, Collection<Endpoint> endpoints) {
        this.routesLongestFirst = routes;
        this.endpoints = endpoints;
    }

    public static RouteTable compile(GatewayConfig config) {
        return compile(config, Ticker.SYSTEM, transition -> { });
    }

    /**
     * @param onTransition told of every breaker's phase changes; an endpoint shared by several routes
     *                     takes its breaker settings from the first route that names it
     */
    public static RouteTable compile(GatewayConfig config, Ticker ticker, Consumer<CircuitBreaker.Transition> onTransition) {
        Map<Object, Endpoint> endpoints = new LinkedHashMap<>();
        List<Route> routes = new ArrayList<>();
        for (RouteConfig routeConfig : config.routes()) {
            List<Upstream> upstreams = new ArrayList<>();
            for (UpstreamConfig upstreamConfig : routeConfig.upstreams()) {
                List<Endpoint> members = upstreamConfig.endpoints().stream()
                        .map(url -> endpoints.computeIfAbsent(List.of(url, upstreamConfig.tls()),
                                key -> new Endpoint(url, upstreamConfig.tls(), new CircuitBreaker(
                                        url.toString(), routeConfig.breaker(), ticker, onTransition), new Warming(ticker))))
                        .toList();
                RetryPolicy retry = routeConfig.retry();
                RetryBudget budget = new RetryBudget(retry.budgetPercent(), retry.minRetriesPerSecond(), BUDGET_WINDOW, ticker);
                upstreams.add(new Upstream(upstreamConfig, members, budget));
            }
            routes.add(new Route(routeConfig, upstreams, ticker));
        }
        routes.sort(Comparator.comparingInt((Route r) -> r.pathPrefix().length()).reversed());
        return new RouteTable(List.copyOf(routes), List.copyOf(endpoints.values()));
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
