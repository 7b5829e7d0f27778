package io.infergate.core.route;

import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.ToDoubleFunction;
import java.util.random.RandomGenerator;

/**
 * The order in which one request tries endpoints: the primary upstream's, balanced by load and
 * those not warming first, then each fallback upstream's. An endpoint whose breaker refuses is skipped, and a breaker's permission
 * is taken only for the endpoint actually chosen. Not thread-safe: one request, one event loop.
 */
public final class AttemptPlan {

    private final List<Upstream> upstreams;
    private final ToDoubleFunction<Endpoint> score;
    private final RandomGenerator random;
    private int upstreamIndex;
    private int attemptsOnUpstream;
    private Endpoint last;

    /** Balanced by in-flight requests alone. */
    public AttemptPlan(List<Upstream> upstreams) {
        this(upstreams, Endpoint::inFlight, ThreadLocalRandom.current());
    }

    /**
     * @param score how loaded an endpoint is, lower is better; infinite when it is saturated
     * @param random for the power of two choices
     */
    public AttemptPlan(List<Upstream> upstreams, ToDoubleFunction<Endpoint> score, RandomGenerator random) {
        this.upstreams = upstreams;
        this.score = score;
        this.random = random;
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

    /** Starts over at the first upstream, as if no attempt had been made: the breakers may let one through now. */
    public void restart() {
        upstreamIndex = 0;
        attemptsOnUpstream = 0;
        last = null;
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

    /**
     * Power of two choices among the endpoints that are neither to be avoided nor (while others are
     * left) warming: of two picked at random, the less loaded, so that a stale or coarse load signal
     * never sends every request to the same "best" endpoint. An endpoint whose breaker refuses is
     * passed over for the rest.
     */
    private Endpoint choose(Upstream upstream, Endpoint avoid) {
        List<Endpoint> endpoints = upstream.endpoints();
        if (endpoints.size() == 1) {
            // The common case, without the choosing.
            Endpoint only = endpoints.get(0);
            return only != avoid && only.breaker().tryAcquire() ? only : null;
        }
        List<Endpoint> warm = new ArrayList<>(endpoints.size());
        List<Endpoint> warming = new ArrayList<>(0);
        for (Endpoint endpoint : endpoints) {
            if (endpoint != avoid) {
                (endpoint.warming().isWarming() ? warming : warm).add(endpoint);
            }
        }
        Endpoint chosen = chooseAmong(warm);
        return chosen != null ? chosen : chooseAmong(warming);
    }

    private Endpoint chooseAmong(List<Endpoint> candidates) {
        while (!candidates.isEmpty()) {
            Endpoint pick;
            if (candidates.size() == 1) {
                pick = candidates.get(0);
            } else {
                int first = random.nextInt(candidates.size());
                int second = random.nextInt(candidates.size() - 1);
                second = second >= first ? second + 1 : second;
                Endpoint a = candidates.get(first);
                Endpoint b = candidates.get(second);
                pick = score.applyAsDouble(b) < score.applyAsDouble(a) ? b : a;
            }
            if (pick.breaker().tryAcquire()) {
                return pick;
            }
            candidates.remove(pick);
        }
        return null;
    }
}
