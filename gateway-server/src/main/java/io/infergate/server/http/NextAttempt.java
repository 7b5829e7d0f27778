package io.infergate.server.http;

import io.infergate.core.error.GatewayError;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.resilience.RetryRules;
import io.infergate.core.route.Route;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.core.upstream.Endpoint;
import io.infergate.server.metrics.ExchangeRecord;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * What follows an attempt that gave the client nothing: a retry after a delay, the next upstream,
 * a wait for a warming endpoint, or the answer that none is left. It owns the failure to answer
 * with and whether the client has seen an upstream byte (from then on, no other attempt). Separate
 * from the exchange, which owns the connection and the bytes and is told what to do through
 * {@link Listener}; {@link Attempts} keeps the plan's bookkeeping, this the decisions' sequence.
 */
final class NextAttempt {

    /** The exchange, which makes and ends attempts and answers the client. */
    interface Listener {
        /** Makes an attempt on the plan's next endpoint; with {@code avoidLast}, not the one that stayed silent. */
        void startAttempt(boolean avoidLast);

        /** Gives up the current attempt's connection and endpoint; its breaker verdict was already given. */
        void endAttempt();

        /** Answers the client with {@code error} and finishes. */
        void fail(GatewayError error);

        /** Whether the exchange has finished. */
        boolean isDone();
    }

    private final Route route;
    private final Attempts attempts;
    private final RequestBody body;
    private final ColdStartWait coldStart;
    private final ExchangeTimeouts timeouts;
    private final ProxyContext context;
    private final ExchangeRecord record;
    private final ClientResponder responder;
    private final EventExecutor executor;
    private final Listener exchange;

    /** Why the last attempt failed, to answer with when none is left; null when it was an upstream's own answer. */
    private GatewayError lastFailure;
    /** Whether an upstream byte reached the client: from then on, no other attempt. Heartbeats do not count. */
    private boolean upstreamBytesRelayed;
    private ScheduledFuture<?> retryTimer;

    NextAttempt(Route route, Attempts attempts, RequestBody body, ColdStartWait coldStart, ExchangeTimeouts timeouts,
                ProxyContext context, ExchangeRecord record, ClientResponder responder, EventExecutor executor,
                Listener exchange) {
        this.route = route;
        this.attempts = attempts;
        this.body = body;
        this.coldStart = coldStart;
        this.timeouts = timeouts;
        this.context = context;
        this.record = record;
        this.responder = responder;
        this.executor = executor;
        this.exchange = exchange;
    }

    /** Whether another attempt could still be made: the whole body is in hand and the client has seen nothing. */
    boolean possible() {
        return body.replayable() && !upstreamBytesRelayed && !exchange.isDone();
    }

    /** An upstream byte reached the client. */
    void bytesRelayed() {
        upstreamBytesRelayed = true;
    }

    /** An attempt ended without a response: decide on another, or answer with {@code error}. */
    void attemptFailed(AttemptOutcome outcome, GatewayError error) {
        lastFailure = error;
        if (!possible()) {
            attempts.recordBreaker(BreakerVerdict.FAILURE);
            exchange.fail(error);
            return;
        }
        if (outcome instanceof AttemptOutcome.ConnectFailed refused && !refused.timedOut()
                && attempts.upstream().coldStart().scaleToZero()) {
            // A self-hosted TGI does not listen while it loads its model.
            endpointWarming(-1);
            return;
        }
        coldStart.failedWithoutAnswer(attempts.endpoint(), attempts.upstream().coldStart());
        moveOnAfter(decide(outcome), error);
    }

    /**
     * An upstream answered (by status, or by an error as a stream's first event) with something
     * worth another attempt: when one is possible it is made, and the caller drops the answer.
     */
    boolean tryAgainAfter(AttemptOutcome.Answered outcome) {
        RetryRules.Decision decision = decide(outcome);
        if (!attempts.leadsOn(decision)) {
            return false;
        }
        answered();
        attempts.recordBreaker(outcome.status() == 429 ? BreakerVerdict.NONE
                : BreakerVerdict.failureIf(decision.breakerFailure()));
        lastFailure = null;
        exchange.endAttempt();
        return moveOn(decision);
    }

    /**
     * Judges a held response: when it says the model is loading, the request waits for the endpoint;
     * when it is an answer worth another attempt and one is possible, that is made. Either way it is
     * dropped (true). False: it is the answer, to deliver.
     */
    boolean drops(HeldResponse response) {
        HeldResponse.Reading reading = response.read(attempts.upstream().coldStart().scaleToZero(), route.fallbackOn());
        if (reading.loading()) {
            response.release();
            endpointWarming(reading.etaNanos());
            return true;
        }
        if (reading.answer() != null && tryAgainAfter(reading.answer())) {
            response.release();
            return true;
        }
        answered();
        return false;
    }

    /** A held stream's first event is late: dropped (true) when the plan moves on as from a silent endpoint. */
    boolean dropsLate(HeldResponse response) {
        RetryRules.Decision decision = decide(new AttemptOutcome.FirstByteTimeout());
        if (!attempts.leadsOn(decision)) {
            answered();
            return false;
        }
        response.release();
        moveOnAfter(decision, GatewayError.FIRST_TOKEN_TIMEOUT);
        return true;
    }

    private RetryRules.Decision decide(AttemptOutcome outcome) {
        long nanosLeft = timeouts.nanosLeft(context.ticker().nanoTime());
        return attempts.decide(outcome, nanosLeft);
    }

    /** The attempt is given up on {@code decision}: the decided one is made, or the client gets {@code error}. */
    private void moveOnAfter(RetryRules.Decision decision, GatewayError error) {
        attempts.recordBreaker(BreakerVerdict.failureIf(decision.breakerFailure()));
        lastFailure = error;
        exchange.endAttempt();
        if (!moveOn(decision)) {
            exchange.fail(error);
        }
    }

    /** Makes the decided attempt; false when there is none to make. */
    private boolean moveOn(RetryRules.Decision decision) {
        switch (decision.verdict()) {
            case RETRY -> {
                context.metrics().retried(route.name(), attempts.upstream().name());
                record.retried();
                boolean avoid = decision.avoidEndpoint();
                retryTimer = executor.schedule(() -> exchange.startAttempt(avoid), decision.delayNanos(), TimeUnit.NANOSECONDS);
                return true;
            }
            case NEXT_UPSTREAM -> {
                return nextUpstream();
            }
            default -> {
                return false;
            }
        }
    }

    /** The next upstream gets the request; false when there is none. */
    private boolean nextUpstream() {
        if (!attempts.moveToNextUpstream()) {
            return false;
        }
        exchange.startAttempt(false);
        if (!exchange.isDone()) {
            context.metrics().fellBack(route.name(), attempts.upstream().name());
        }
        return true;
    }

    /** Nothing left to try: the last attempt's failure, or every breaker open. */
    void nothingLeft() {
        if (lastFailure != null) {
            exchange.fail(lastFailure);
            return;
        }
        responder.retryAfter(attempts.secondsUntilProbe());
        exchange.fail(GatewayError.BREAKER_OPEN);
    }

    // ---- cold starts: wait for a warming endpoint, or go elsewhere ------------------------------

    /** Whether the chosen endpoint takes the request now; otherwise it is parked, or the plan moves on. */
    boolean passWarming() {
        long now = context.ticker().nanoTime();
        ColdStartWait.Pass pass = coldStart.pass(attempts.endpoint(), attempts.upstream().coldStart(), now,
                timeouts.nanosLeft(now), attempts.hasNextUpstream());
        if (pass == ColdStartWait.Pass.GO) {
            return true;
        }
        attempts.setAside();
        if (pass == ColdStartWait.Pass.GO_ELSEWHERE) {
            warmingHoldExpired(attempts.endpoint());
        }
        return false;
    }

    /** The endpoint may not be waited for any longer: the next upstream, or the answer that it is loading. */
    void warmingHoldExpired(Endpoint endpoint) {
        if (exchange.isDone()) {
            return;
        }
        if (timeouts.nanosLeft(context.ticker().nanoTime()) <= 0) {
            exchange.fail(GatewayError.DEADLINE_EXCEEDED);
            return;
        }
        if (nextUpstream()) {
            return;
        }
        responder.retryAfter(ColdStartWait.retryAfterSeconds(endpoint, attempts.upstream().coldStart()));
        exchange.fail(GatewayError.MODEL_LOADING);
    }

    /**
     * The endpoint said its model is loading (or, scaled to zero, answered 503 or refused the
     * connection). It is marked warming, which is not breakage, and the request waits for it.
     */
    private void endpointWarming(long etaNanos) {
        coldStart.loading(attempts.endpoint(), attempts.upstream().coldStart(), etaNanos);
        attempts.recordBreaker(BreakerVerdict.NONE);
        lastFailure = GatewayError.MODEL_LOADING;
        exchange.endAttempt();
        attempts.forgetLastAttempt();
        exchange.startAttempt(false);
    }

    /** The endpoint answered: requests waiting for it to warm may go. */
    void answered() {
        coldStart.answered(attempts.endpoint());
    }

    /** The exchange is over: a retry waiting for its delay is not made. */
    void cancel() {
        if (retryTimer != null) {
            retryTimer.cancel(false);
        }
    }
}
