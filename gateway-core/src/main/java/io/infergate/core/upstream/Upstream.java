package io.infergate.core.upstream;

import io.infergate.core.config.UpstreamAuth;
import io.infergate.core.resilience.RetryBudget;

import java.util.List;

/** A named group of endpoints serving one model, as a route tries it. */
public final class Upstream {

    private final String name;
    private final List<Endpoint> endpoints;
    private final UpstreamAuth auth;
    private final RetryBudget retryBudget;

    public Upstream(String name, List<Endpoint> endpoints, UpstreamAuth auth, RetryBudget retryBudget) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: empty (expected: at least one)");
        }
        this.name = name;
        this.endpoints = List.copyOf(endpoints);
        this.auth = auth;
        this.retryBudget = retryBudget;
    }

    /** Retries to this upstream stay inside it, whatever the clients do. */
    public RetryBudget retryBudget() {
        return retryBudget;
    }

    public String name() {
        return name;
    }

    public List<Endpoint> endpoints() {
        return endpoints;
    }

    public UpstreamAuth auth() {
        return auth;
    }
}
