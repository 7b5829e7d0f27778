package io.infergate.server.metrics;

import io.infergate.core.metrics.MeterNames;
import io.infergate.core.route.Route;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * {@code gateway_endpoint_concurrency_limit}: each route's limit for each of its endpoints, read
 * through the route of that name being served now, so that a reload's new limits show at once; NaN
 * for a route or endpoint a reload removed.
 */
final class LimitGauges {

    private final MeterRegistry registry;
    private final Map<String, Route> served = new ConcurrentHashMap<>();

    LimitGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    void register(Route route) {
        served.put(route.name(), route);
        if (route.limits() == null) {
            return;
        }
        for (Upstream upstream : route.upstreams()) {
            for (Endpoint endpoint : upstream.endpoints()) {
                String name = route.name();
                Gauge.builder(MeterNames.ENDPOINT_CONCURRENCY_LIMIT, () -> limit(name, endpoint))
                        .description("Requests the route sends to an endpoint at once, learned or fixed")
                        .tags("route", name, "upstream", upstream.name(), "endpoint", endpoint.url().toString())
                        .register(registry);
            }
        }
    }

    void removed(Route route) {
        served.remove(route.name());
    }

    private double limit(String route, Endpoint endpoint) {
        Route now = served.get(route);
        if (now == null || now.limits() == null || !now.limits().has(endpoint)) {
            return Double.NaN;
        }
        return now.limits().of(endpoint).limit();
    }
}
