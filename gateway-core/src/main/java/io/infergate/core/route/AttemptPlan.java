package io.infergate.core.route;

import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The order in which one request tries endpoints: the primary upstream's, those not warming and
 * least loaded first, then each fallback upstream's. An endpoint whose breaker refuses is skipped, and a breaker's permission
 * is taken only for the endpoint actually chosen. Not thread-safe: one request, one event loop.
 */
public final class AttemptPlan {

    private static final Comparator<Endpoint> WARM_FIRST_THEN_LEAST_LOADED =
            Comparator.comparing((Endpoint e) -> e.warming().isWarming()).thenComparingInt(Endpoint::inFlight);

    private final List<Upstream> upstreams;
    private int upstreamIndex;
    private int attemptsOnUpstream;
    private Endpoint last;

    public AttemptPlan(List<Upstream> upstreams) {
        this.upstreams = upstreams;
    }

    /**
     * The endpoint for the next attempt on the current upstream, moving on to the next upstream when
     * this one has none left to offer; {@code null} when no upstream has. With {@code avoidLast}, the
     * previous endpoint is not chosen again (it stayed silent), so a single-endpoint upstream is left.
     */
    public Endpoint next(boolean avoidLast) {
        while (upstreamIndex < upstreams.size()) {
            Endpoint chosen = choose(upstreams.get(upstreamIndex), avoidLast ? last : null);
            if (chosen != null) {
                attemptsOnUpstream++;
                last = chosen;
                return chosen;
            }
            moveToNextUpstream();
            avoidLast = false;
        }
        return null;
    }

    /**
     * The last attempt does not count against the upstream's retries: it found the endpoint warming,
     * and waiting for it is not a retry.
     */
    public void forgetLastAttempt() {
        attemptsOnUpstream = Math.max(0, attemptsOnUpstream - 1);
    }

    /** Gives up on the current upstream: the next attempt goes to the following one. */
    public void moveToNextUpstream() {
        upstreamIndex++;
        attemptsOnUpstream = 0;
    }

    /** Whether an upstream follows the current one, whatever its breakers say now. */
    public boolean hasNextUpstream() {
        return upstreamIndex + 1 < upstreams.size();
    }

    /** The upstream of the last attempt. */
    public Upstream upstream() {
        return upstreams.get(Math.min(upstreamIndex, upstreams.size() - 1));
    }

    /** Attempts made on the current upstream, the last one included. */
    public int attemptsOnUpstream() {
        return attemptsOnUpstream;
    }

    /** Whether the last attempt went to a fallback rather than the primary. */
    public boolean onFallback() {
        return upstreamIndex > 0;
    }

    private Endpoint choose(Upstream upstream, Endpoint avoid) {
        List<Endpoint> endpoints = upstream.endpoints();
        if (endpoints.size() == 1) {
            // The common case, without the sorting.
            Endpoint only = endpoints.get(0);
            return only != avoid && only.breaker().tryAcquire() ? only : null;
        }
        List<Endpoint> candidates = new ArrayList<>(endpoints);
        candidates.sort(WARM_FIRST_THEN_LEAST_LOADED);
        for (Endpoint candidate : candidates) {
            if (candidate != avoid && candidate.breaker().tryAcquire()) {
                return candidate;
            }
        }
        return null;
    }
}
