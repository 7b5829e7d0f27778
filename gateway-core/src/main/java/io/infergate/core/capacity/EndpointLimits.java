package io.infergate.core.capacity;

import io.infergate.core.Ticker;
import io.infergate.core.admission.AdmissionSettings;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;

import java.time.Duration;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * One route's concurrency limit for each of its endpoints: fixed when the route sets
 * {@code maxInFlightPerEndpoint} alone, else learned within its bounds. Per route, because the
 * bounds are the route's; an endpoint shared by two routes is learned by each, and both back off
 * when it queues. Built once; lookups take no lock.
 */
public final class EndpointLimits {

    private final Map<Endpoint, ConcurrencyLimit> byEndpoint = new IdentityHashMap<>();

    /**
     * @param previous the same route's limits before a reload, or null: an endpoint it kept keeps
     *                 what was learned of it, when the route still learns within the same bounds
     */
    public EndpointLimits(List<Upstream> upstreams, AdmissionSettings admission, Ticker ticker, EndpointLimits previous) {
        for (Upstream upstream : upstreams) {
            for (Endpoint endpoint : upstream.endpoints()) {
                byEndpoint.computeIfAbsent(endpoint, e -> {
                    ConcurrencyLimit learnedBefore = previous == null ? null : previous.byEndpoint.get(e);
                    if (admission.learnsLimit() && learnedBefore != null
                            && learnedBefore.learnsWithin(admission.minInFlightPerEndpoint(), admission.maxInFlightPerEndpoint())) {
                        return learnedBefore;
                    }
                    return admission.learnsLimit()
                            ? ConcurrencyLimit.learned(admission.minInFlightPerEndpoint(), admission.maxInFlightPerEndpoint(), ticker)
                            : ConcurrencyLimit.fixed(admission.maxInFlightPerEndpoint());
                });
            }
        }
    }

    /** Whether {@code endpoint} is one of the route's. */
    public boolean has(Endpoint endpoint) {
        return byEndpoint.containsKey(endpoint);
    }

    /** The limit for {@code endpoint}, one of the route's. */
    public ConcurrencyLimit of(Endpoint endpoint) {
        ConcurrencyLimit limit = byEndpoint.get(endpoint);
        if (limit == null) {
            throw new IllegalArgumentException(endpoint + " is not one of the route's endpoints");
        }
        return limit;
    }

    /** Ends the windows that are due; returns whether a limit changed. */
    public boolean update(Duration staleAfter) {
        boolean changed = false;
        for (Map.Entry<Endpoint, ConcurrencyLimit> entry : byEndpoint.entrySet()) {
            Endpoint endpoint = entry.getKey();
            changed |= entry.getValue().update(endpoint.load(), staleAfter, endpoint.inFlight());
        }
        return changed;
    }
}
