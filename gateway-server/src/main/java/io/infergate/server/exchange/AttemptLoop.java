package io.infergate.server.exchange;

import io.infergate.core.Ticker;
import io.infergate.core.capacity.ConcurrencyLimit;
import io.infergate.core.error.GatewayError;
import io.infergate.core.recovery.ContinuationStyle;
import io.infergate.core.recovery.RecoveryRules;
import io.infergate.core.recovery.RecoveryScope;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.resilience.RetryRules;
import io.infergate.core.route.AttemptPlan;
import io.infergate.core.route.Route;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.server.upstream.ConnectionPool;

import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;

/**
 * The attempt loop's decisions: which endpoint gets the request next (the plan: balanced endpoints
 * of the first upstream, then the fallbacks), whether a failed attempt or an upstream's answer is
 * worth another (the route's retry rules and its upstream's retry budget), and what a cold start
 * asks (wait, go elsewhere). Each returns a {@link Next} for the exchange to act on; this class
 * gives breaker verdicts and keeps the plan's books, and never touches a connection or the client.
 */
final class AttemptLoop {

    /** How often a request held for an open breaker looks again while the breaker's probe is out. */
    static final long PROBE_RECHECK_NANOS = TimeUnit.MILLISECONDS.toNanos(100);

    private final Route route;
    private final AttemptPlan plan;
    private final ColdStartWait coldStart;
    private final ExchangeTimeouts timeouts;
    private final Ticker ticker;
    private final ConnectionPool pool;
    private Upstream upstream;
    /** The endpoint chosen last, even once its attempt is over: a cold-start probe may still be its. */
    private Endpoint endpoint;
    /** Whether the last attempt went to a fallback; a plan that ran out of upstreams made none there. */
    private boolean lastOnFallback;
    /** Why the last attempt failed, to answer with when none is left; null when an upstream answered. */
    private GatewayError lastFailure;

    AttemptLoop(Route route, ColdStartWait coldStart, ExchangeTimeouts timeouts, Ticker ticker, ConnectionPool pool) {
        this.route = route;
        this.plan = new AttemptPlan(route.upstreams(), route.loadView()::score, ThreadLocalRandom.current());
        this.coldStart = coldStart;
        this.timeouts = timeouts;
        this.ticker = ticker;
        this.pool = pool;
    }

    /**
     * The plan's next endpoint, with {@code avoidLast} not the one that stayed silent: {@link Next.Go}
     * with its attempt, {@link Next#PARK} while it warms, or the answer when nothing is left.
     */
    Next start(boolean avoidLast) {
        Endpoint chosen = plan.next(avoidLast);
        if (chosen == null) {
            return lastFailure != null ? new Next.GiveUp(lastFailure, 0)
                    : endpoint == null ? awaitProbe() : new Next.GiveUp(GatewayError.BREAKER_OPEN, route.secondsUntilProbe());
        }
        endpoint = chosen;
        if (plan.upstream() != upstream) {
            upstream = plan.upstream();
            upstream.retryBudget().onRequest();
        }
        long now = ticker.nanoTime();
        ColdStartWait.Pass pass = coldStart.pass(chosen, upstream.coldStart(), now, timeouts.nanosLeft(now),
                plan.hasNextUpstream());
        if (pass == ColdStartWait.Pass.GO) {
            lastOnFallback = plan.onFallback();
            return new Next.Go(attempt(upstream, chosen, lastOnFallback, now));
        }
        chosen.breaker().onIgnored(); // the plan's breaker permission goes unused
        plan.forgetLastAttempt(); // waiting for a warming endpoint is not a retry
        return pass == ColdStartWait.Pass.PARKED ? Next.PARK : holdExpired(chosen);
    }

    /** The attempt ended without an answer (no connection, a reset, silence). */
    Next failed(Attempt attempt, AttemptOutcome outcome, GatewayError error, boolean anotherPossible) {
        lastFailure = error;
        if (outcome instanceof AttemptOutcome.ConnectFailed refused && !refused.timedOut()
                && upstream.coldStart().scaleToZero()) {
            // A self-hosted TGI does not listen while it loads its model: warming, never breakage,
            // even when this request can make no other attempt.
            Next warm = warming(attempt, -1);
            return anotherPossible ? warm
                    : new Next.GiveUp(GatewayError.MODEL_LOADING, ColdStartWait.retryAfterSeconds(attempt.endpoint, upstream.coldStart()));
        }
        if (!anotherPossible) {
            attempt.verdict(BreakerVerdict.FAILURE);
            return new Next.GiveUp(error, 0);
        }
        coldStart.failedWithoutAnswer(attempt.endpoint, upstream.coldStart());
        return after(attempt, decide(outcome), error);
    }

    /**
     * The upstream answered with a status the route may retry (or a {@code 429}): another attempt
     * when the rules allow one, else {@link Next#DELIVER}.
     */
    Next answered(Attempt attempt, AttemptOutcome.Answered outcome) {
        RetryRules.Decision decision = decide(outcome);
        coldStart.answered(attempt.endpoint);
        if (!leadsOn(decision)) {
            return Next.DELIVER;
        }
        attempt.verdict(outcome.status() == 429 ? BreakerVerdict.NONE : BreakerVerdict.failureIf(decision.breakerFailure()));
        lastFailure = null;
        return moveOn(decision, null);
    }

    /**
     * The endpoint refused the gateway's own credentials (its {@code 401} or {@code 403} to the
     * upstream's {@code auth}): configuration, not chance, and not the endpoint's health. The next
     * upstream, which has credentials of its own, or the answer that says so.
     */
    Next refusedCredentials(Attempt attempt) {
        coldStart.answered(attempt.endpoint);
        attempt.verdict(BreakerVerdict.NONE);
        lastFailure = GatewayError.UPSTREAM_AUTH;
        if (plan.hasNextUpstream()) {
            plan.moveToNextUpstream();
            return Next.FALLBACK;
        }
        return new Next.GiveUp(GatewayError.UPSTREAM_AUTH, 0);
    }

    /** The upstream answered, and nothing about it needs judging: it is delivered. */
    Next deliver(Attempt attempt) {
        coldStart.answered(attempt.endpoint);
        return Next.DELIVER;
    }

    /**
     * Enough of a held response is in: a model still loading parks the request at the endpoint, an
     * answer worth another attempt makes one, anything else is delivered.
     */
    Next judged(Attempt attempt, HeldResponse held) {
        HeldResponse.Reading reading = held.read(upstream.coldStart().scaleToZero(), route.fallbackOn());
        if (reading.loading()) {
            return warming(attempt, reading.etaNanos());
        }
        return reading.answer() != null ? answered(attempt, reading.answer()) : deliver(attempt);
    }

    /** A held stream's first event is late: the plan moves on as from a silent endpoint, if it can. */
    Next lateFirstEvent(Attempt attempt) {
        RetryRules.Decision decision = decide(new AttemptOutcome.FirstByteTimeout());
        if (!leadsOn(decision)) {
            return deliver(attempt);
        }
        return after(attempt, decision, GatewayError.FIRST_TOKEN_TIMEOUT);
    }

    /**
     * A relayed stream broke with {@code error}: {@link Next.Resume} on another endpoint of the upstream
     * (or, when the route says {@code continue}, a fallback's) when the recovery rules allow, else the
     * error for the client. The broken endpoint's breaker counts it.
     */
    Next resume(Attempt broken, StreamRecovery recovery, GatewayError error) {
        broken.verdict(BreakerVerdict.FAILURE);
        Upstream current = upstream;
        Upstream next = plan.hasNextUpstream() ? route.upstreams().get(route.upstreams().indexOf(current) + 1) : null;
        RecoveryRules.Targets targets = new RecoveryRules.Targets(current.endpoints().size() > 1,
                current.continuation(), next != null, next == null ? ContinuationStyle.NONE : next.continuation());
        RecoveryRules.Decision decision = RecoveryRules.decide(route.recovery(), recovery.request(),
                recovery.transcript(), targets,
                () -> timeouts.nanosLeft(ticker.nanoTime()) > 0 && current.retryBudget().tryRetry());
        if (decision.where() == RecoveryRules.Where.NEXT_UPSTREAM) {
            plan.moveToNextUpstream();
        }
        Endpoint chosen = decision.recovers() ? plan.next(decision.where() == RecoveryRules.Where.SAME_UPSTREAM) : null;
        // The plan may have moved on by itself: to another model only when the route allows it.
        if (chosen == null || plan.upstream().continuation() == ContinuationStyle.NONE
                || plan.upstream() != current && route.recovery() != RecoveryScope.CONTINUE) {
            return chosen == null ? new Next.GiveUp(error, 0) : ignored(chosen, error);
        }
        endpoint = chosen;
        upstream = plan.upstream();
        lastOnFallback = plan.onFallback();
        return new Next.Resume(attempt(upstream, chosen, lastOnFallback, ticker.nanoTime()), upstream.continuation());
    }

    /** An attempt on {@code endpoint}, counted against the route's limit for it from {@code now}. */
    private Attempt attempt(Upstream upstream, Endpoint endpoint, boolean onFallback, long now) {
        ConcurrencyLimit limit = route.limits() == null ? ConcurrencyLimit.UNBOUNDED : route.limits().of(endpoint);
        return new Attempt(upstream, endpoint, limit, now, onFallback, pool);
    }

    private static Next ignored(Endpoint chosen, GatewayError error) {
        chosen.breaker().onIgnored();
        return new Next.GiveUp(error, 0);
    }

    /** The continuation's endpoint refused prefill: the answer is generated there again from the start. */
    Next regenerate(Attempt refused) {
        refused.verdict(BreakerVerdict.NONE);
        return new Next.Resume(attempt(refused.upstream, refused.endpoint, refused.onFallback, ticker.nanoTime()),
                ContinuationStyle.REGENERATE);
    }

    /** The request may not wait for {@code warming} any longer: the next upstream, or the answer that it loads. */
    Next holdExpired(Endpoint warming) {
        if (timeouts.nanosLeft(ticker.nanoTime()) <= 0) {
            return new Next.GiveUp(GatewayError.DEADLINE_EXCEEDED, 0);
        }
        if (plan.hasNextUpstream()) {
            plan.moveToNextUpstream();
            return Next.FALLBACK;
        }
        return new Next.GiveUp(GatewayError.MODEL_LOADING, ColdStartWait.retryAfterSeconds(warming, upstream.coldStart()));
    }

    /**
     * The endpoint said its model is loading (or, scaled to zero, answered 503 or refused the
     * connection): it is marked warming, which is not breakage, and the request tries again.
     */
    private Next warming(Attempt attempt, long etaNanos) {
        coldStart.loading(attempt.endpoint, upstream.coldStart(), etaNanos);
        attempt.verdict(BreakerVerdict.NONE);
        lastFailure = GatewayError.MODEL_LOADING;
        plan.forgetLastAttempt();
        return Next.AGAIN;
    }

    private Next after(Attempt attempt, RetryRules.Decision decision, GatewayError error) {
        attempt.verdict(BreakerVerdict.failureIf(decision.breakerFailure()));
        lastFailure = error;
        return moveOn(decision, error);
    }

    private Next moveOn(RetryRules.Decision decision, GatewayError error) {
        return switch (decision.verdict()) {
            case RETRY -> new Next.Retry(decision.delayNanos(), decision.avoidEndpoint());
            case NEXT_UPSTREAM -> {
                if (plan.hasNextUpstream()) {
                    plan.moveToNextUpstream();
                    yield Next.FALLBACK;
                }
                yield new Next.GiveUp(error == null ? GatewayError.UPSTREAM_RESET : error, 0);
            }
            default -> new Next.GiveUp(error == null ? GatewayError.UPSTREAM_RESET : error, 0);
        };
    }

    private RetryRules.Decision decide(AttemptOutcome outcome) {
        return route.retryRules().decide(outcome, plan.attemptsOnUpstream(), timeouts.nanosLeft(ticker.nanoTime()),
                upstream.retryBudget(), ThreadLocalRandom.current().nextDouble());
    }

    private boolean leadsOn(RetryRules.Decision decision) {
        return decision.verdict() == RetryRules.Verdict.RETRY
                || decision.verdict() == RetryRules.Verdict.NEXT_UPSTREAM && plan.hasNextUpstream();
    }

    /**
     * Every breaker refused the request before its first attempt: it waits for the first probe when it
     * is due within the request's deadline (and then makes it, or hears its outcome), so that a client
     * library that repeats a refusal at once meets a held request, not a stream of instant answers.
     * While a probe is out, the request looks again every {@link #PROBE_RECHECK_NANOS}.
     */
    private Next awaitProbe() {
        long untilProbe = route.nanosUntilProbe();
        long wait = untilProbe > 0 ? untilProbe : PROBE_RECHECK_NANOS;
        if (wait > timeouts.nanosLeft(ticker.nanoTime())) {
            return new Next.GiveUp(GatewayError.BREAKER_OPEN, route.secondsUntilProbe());
        }
        plan.restart();
        return new Next.AwaitProbe(wait);
    }

    /** The upstream the plan is on. */
    Upstream upstream() {
        return upstream;
    }

    /** The endpoint chosen last; null before the first. */
    Endpoint endpoint() {
        return endpoint;
    }

    boolean onFallback() {
        return lastOnFallback;
    }
}
