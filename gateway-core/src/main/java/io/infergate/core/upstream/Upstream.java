package io.infergate.core.upstream;

import io.infergate.core.config.UpstreamAuth;

import java.util.List;

/** A named group of endpoints serving one model, as a route tries it. */
public final class Upstream {

    private final String name;
    private final List<Endpoint> endpoints;
    private final UpstreamAuth auth;

    public Upstream(String name, List<Endpoint> endpoints, UpstreamAuth auth) {
        if (endpoints.isEmpty()) {
            throw new IllegalArgumentException("endpoints: empty (expected: at least one)");
        }
        this.name = name;
        this.endpoints = List.copyOf(endpoints);
        this.auth = auth;
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

    /** The endpoint with the fewest requests in flight; ties go to the first listed. */
    public Endpoint leastLoaded() {
        Endpoint best = endpoints.get(0);
        for (int i = 1; i < endpoints.size(); i++) {
            Endpoint candidate = endpoints.get(i);
            if (candidate.inFlight() < best.inFlight()) {
                best = candidate;
            }
        }
        return best;
    }
}
