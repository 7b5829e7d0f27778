package io.infergate.server.http;

import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.resilience.RetryRules;
import io.infergate.core.route.AttemptPlan;
import io.infergate.core.route.Route;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The bookkeeping of one request's attempts: which endpoint of which upstream has it now, its
 * in-flight count, the breaker permission it holds until a verdict, and the decision about the next.
 * The exchange owns the connection and the bytes; this owns the choices.
 */
final class Attempts {

    private final Route route;
    private final AttemptPlan plan;
    private Upstream upstream;
    private Endpoint endpoint;
    private int count;
    private boolean active;
    private boolean breakerPending;

    Attempts(Route route) {
        this.route = route;
        this.plan = new AttemptPlan(route.upstreams(), route.loadView()::score, ThreadLocalRandom.current());
    }

    /** Starts the next attempt on the plan's next endpoint; false when no endpoint is left. */
    boolean start(boolean avoidLast) {
        endpoint = plan.next(avoidLast);
        if (endpoint == null) {
            return false;
        }
        if (plan.upstream() != upstream) {
            upstream = plan.upstream();
            upstream.retryBudget().onRequest();
        }
        count++;
        active = true;
        breakerPending = true;
        endpoint.requestStarted();
        return true;
    }

    /** The attempt is over: its endpoint has one request less in flight. */
    void end() {
        if (active) {
            active = false;
            endpoint.requestEnded();
        }
    }

    /** The endpoint's breaker hears how the attempt went, once. */
    void recordBreaker(BreakerVerdict verdict) {
        if (!breakerPending) {
            return;
        }
        breakerPending = false;
        switch (verdict) {
            case SUCCESS -> endpoint.breaker().onSuccess();
            case FAILURE -> endpoint.breaker().onFailure();
            case NONE -> endpoint.breaker().onIgnored();
        }
    }

    RetryRules.Decision decide(AttemptOutcome outcome, long nanosLeft) {
        return route.retryRules().decide(outcome, plan.attemptsOnUpstream(), nanosLeft, upstream.retryBudget(),
                ThreadLocalRandom.current().nextDouble());
    }

    /** Whether the decision leads to another attempt that can be made. */
    boolean leadsOn(RetryRules.Decision decision) {
        return decision.verdict() == RetryRules.Verdict.RETRY
                || decision.verdict() == RetryRules.Verdict.NEXT_UPSTREAM && plan.hasNextUpstream();
    }

    /** Whether an upstream follows the current one. */
    boolean hasNextUpstream() {
        return plan.hasNextUpstream();
    }

    /** The last attempt found its endpoint warming: waiting for it is not a retry. */
    void forgetLastAttempt() {
        plan.forgetLastAttempt();
    }

    /** The chosen endpoint is warming and the attempt is not made: no breaker verdict, no in-flight, no count. */
    void setAside() {
        recordBreaker(BreakerVerdict.NONE);
        end();
        forgetLastAttempt();
    }

    /** Gives up the current upstream for the next; false when there is none. */
    boolean moveToNextUpstream() {
        if (!plan.hasNextUpstream()) {
            return false;
        }
        plan.moveToNextUpstream();
        return true;
    }

    /** Seconds until the first of the route's open breakers lets a probe through; at least 1. */
    long secondsUntilProbe() {
        long waitNanos = Long.MAX_VALUE;
        for (Upstream candidate : route.upstreams()) {
            for (Endpoint e : candidate.endpoints()) {
                waitNanos = Math.min(waitNanos, e.breaker().nanosUntilProbe());
            }
        }
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(waitNanos + TimeUnit.SECONDS.toNanos(1) - 1));
    }

    /** A {@code Retry-After} in seconds; an HTTP date is too rare from inference servers to be worth parsing. */
    static Duration retryAfter(HttpResponse head) {
        String value = head.headers().get(HttpHeaderNames.RETRY_AFTER);
        if (value == null) {
            return null;
        }
        try {
            return Duration.ofSeconds(Long.parseLong(value.trim()));
        } catch (NumberFormatException httpDate) {
            return null;
        }
    }

    Upstream upstream() {
        return upstream;
    }

    Endpoint endpoint() {
        return endpoint;
    }

    /** Attempts started so far, the current one included. */
    int count() {
        return count;
    }

    boolean active() {
        return active;
    }

    boolean onFallback() {
        return plan.onFallback();
    }
}
