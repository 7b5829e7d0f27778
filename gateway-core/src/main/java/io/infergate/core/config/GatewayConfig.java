package io.infergate.core.config;

import io.infergate.core.admission.Tier;

import java.util.List;
import java.util.Optional;

/**
 * The whole gateway configuration: one server, the route defaults, the routes, who may use them
 * (the tiers, highest priority first, whether a key is required, and the tenants), and how
 * asynchronous jobs are run and kept, where jobs and rate limits are stored, and where traces go.
 */
public record GatewayConfig(ServerConfig server, RouteDefaults defaults, List<RouteConfig> routes, List<Tier> tiers,
                            AuthConfig auth, List<TenantConfig> tenants, JobsConfig jobs, StoreConfig store,
                            TracingConfig tracing) {

    public GatewayConfig {
        java.util.Objects.requireNonNull(tracing, "tracing");
        routes = List.copyOf(routes);
        tiers = List.copyOf(tiers);
        tenants = List.copyOf(tenants);
    }

    /** A gateway open to every client: the built-in tiers, no key required, no tenants, jobs at their defaults, all in memory. */
    public GatewayConfig(ServerConfig server, RouteDefaults defaults, List<RouteConfig> routes) {
        this(server, defaults, routes, Tier.DEFAULTS, AuthConfig.DEFAULTS, List.of(), JobsConfig.DEFAULTS,
                StoreConfig.DEFAULTS, TracingConfig.OFF);
    }

    public Optional<Tier> tier(String name) {
        return tiers.stream().filter(tier -> tier.name().equals(name)).findFirst();
    }
}
