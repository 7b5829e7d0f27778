package io.infergate.core.tenant;

import io.infergate.core.admission.Tier;
import io.infergate.core.config.RateLimits;
import io.infergate.core.config.TenantConfig;

import java.util.Set;

/**
 * A client of the gateway as admission and rate limiting see it: its name (in buckets, queues and
 * metrics), its tier, its limits and the routes it may use. It holds no key.
 *
 * @param routes the names of the routes it may use; null: every route
 */
public record Tenant(String name, Tier tier, RateLimits limits, Set<String> routes) {

    /** The name of the tenant that requests without a key are served as, where no key is required. */
    public static final String ANONYMOUS_NAME = "anonymous";

    public Tenant {
        if (name == null || name.isBlank() || tier == null || limits == null) {
            throw new IllegalArgumentException("a tenant needs a name, a tier and limits");
        }
        routes = routes == null ? null : Set.copyOf(routes);
    }

    static Tenant of(TenantConfig config) {
        return new Tenant(config.name(), config.tier(), config.limits(), config.routes());
    }

    static Tenant anonymous(Tier tier, RateLimits limits) {
        return new Tenant(ANONYMOUS_NAME, tier, limits, null);
    }

    public boolean allows(String route) {
        return routes == null || routes.contains(route);
    }

    public boolean isAnonymous() {
        return ANONYMOUS_NAME.equals(name);
    }
}
