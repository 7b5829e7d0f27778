package io.infergate.server.exchange;

import io.infergate.server.relay.ClientResponder;
import io.infergate.core.error.GatewayError;
import io.infergate.core.recovery.RecoveryOutcome;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.route.Route;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.tracing.ExchangeTrace;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * Carries out the {@link AttemptLoop}'s decisions for one exchange: makes the attempt it chose,
 * waits out a retry's backoff, a warming endpoint or an open breaker, moves on to a fallback, or gives up. It holds
 * the one attempt under way and ends it before any other decision takes effect.
 */
final class AttemptRunner {

    private static final long UNPARKED = Long.MIN_VALUE;

    private final Exchange exchange;
    private final AttemptLoop loop;
    private final UpstreamRequest upstreamRequest;
    private final ResponseRelay relay;
    private final ExchangeTimeouts timeouts;
    private final RequestBody body;
    private final ClientResponder responder;
    private final ProxyContext context;
    private final Route route;
    private final ExchangeRecord record;
    private final EventExecutor executor;
    private final ContinuationRelay continuation;
    private final ExchangeTrace trace;
    private Attempt attempt;
    /** A retry's backoff, or a hold for an open breaker's probe. */
    private ScheduledFuture<?> waitTimer;
    /** When the request was parked for a warming endpoint; UNPARKED while it is not. */
    private long parkedAt = UNPARKED;
    /** When the request began to wait for an open breaker's probe; UNPARKED while it does not. */
    private long heldForProbeAt = UNPARKED;
    /** Whether the decision is carried out inside the client's read, whose end flushes the request up. */
    private boolean inClientRead;

    AttemptRunner(Exchange exchange, AttemptLoop loop, UpstreamRequest upstreamRequest, ResponseRelay relay,
                  ExchangeTimeouts timeouts, RequestBody body, ClientResponder responder, ProxyContext context,
                  Route route, ExchangeRecord record, EventExecutor executor, ContinuationRelay continuation,
                  ExchangeTrace trace) {
        this.exchange = exchange;
        this.loop = loop;
        this.upstreamRequest = upstreamRequest;
        this.relay = relay;
        this.timeouts = timeouts;
        this.body = body;
        this.responder = responder;
        this.context = context;
        this.route = route;
        this.record = record;
        this.executor = executor;
        this.continuation = continuation;
        this.trace = trace;
    }

    /** The first attempt, once the gate let the request through; {@code inRead} inside the client's read. */
    void first(boolean inRead) {
        inClientRead = inRead;
        act(loop.start(false));
        inClientRead = false;
    }

    /** Carries out {@code next}: any decision but {@link Next#DELIVER} ends the current attempt first. */
    void act(Next next) {
        if (next == Next.DELIVER) {
            return;
        }
        endParking();
        end();
        if (!(next instanceof Next.AwaitProbe)) {
            endProbeHold();
        }
        if (next instanceof Next.Go go) {
            exchange.moveTo(Phase.CONNECTING);
            attempt = go.attempt();
            exchange.attemptStarted(attempt);
            upstreamRequest.send(attempt, inClientRead);
        } else if (next instanceof Next.Resume resume) {
            exchange.moveTo(Phase.CONNECTING);
            attempt = resume.attempt();
            exchange.attemptStarted(attempt);
            StreamRecovery recovery = continuation.recovery();
            byte[] continued = recovery.begin(resume.style(), attempt.upstream.name() + "/" + attempt.endpoint.url().hostHeader());
            if (continued == null) {
                exchange.fail(recovery.breakError(), recovery.breakError().defaultMessage()); // no tokens left to continue with
                return;
            }
            body.continueWith(continued);
            upstreamRequest.send(attempt, false);
        } else if (next instanceof Next.Retry retry) {
            context.metrics().retried(route.name(), loop.upstream().name());
            record.retried();
            exchange.moveTo(Phase.RETRY_WAIT);
            waitTimer = executor.schedule(() -> act(loop.start(retry.avoidLast())), retry.delayNanos(),
                    TimeUnit.NANOSECONDS);
        } else if (next == Next.FALLBACK) {
            Next started = loop.start(false);
            if (!(started instanceof Next.GiveUp)) {
                context.metrics().fellBack(route.name(), loop.upstream().name());
            }
            act(started);
        } else if (next == Next.AGAIN) {
            act(loop.start(false));
        } else if (next instanceof Next.AwaitProbe hold) {
            exchange.moveTo(Phase.BREAKER_WAIT);
            if (heldForProbeAt == UNPARKED) {
                heldForProbeAt = context.ticker().nanoTime();
            }
            waitTimer = executor.schedule(() -> act(loop.start(false)), hold.delayNanos(), TimeUnit.NANOSECONDS);
        } else if (next == Next.PARK) {
            exchange.moveTo(Phase.WARMING_WAIT);
            parkedAt = context.ticker().nanoTime();
        } else if (next instanceof Next.GiveUp giveUp) {
            if (giveUp.retryAfterSeconds() > 0) {
                responder.retryAfter(giveUp.retryAfterSeconds());
            }
            exchange.fail(giveUp.error(), giveUp.error().defaultMessage());
        }
    }

    /** The attempt gave no answer: another is made when the loop says so, else the client hears why. */
    void failed(AttemptOutcome outcome, GatewayError error) {
        trace.attemptFailed(error.cause(), outcome instanceof AttemptOutcome.Answered answered ? answered.status() : 0);
        act(loop.failed(attempt, outcome, error, relay.anotherAttemptPossible()));
    }

    /**
     * A relayed stream broke with {@code error}: true when a continuation takes over elsewhere, as
     * the loop decides; else the recovery, if the route has one, counts as disarmed.
     */
    boolean resume(GatewayError error) {
        StreamRecovery recovery = continuation.recovery();
        if (recovery == null) {
            return false;
        }
        recovery.broke(error);
        trace.attemptFailed(error.cause(), 0);
        Next next = recovery.armed() ? loop.resume(attempt, recovery, error) : null;
        if (!(next instanceof Next.Resume)) {
            recovery.disarmed();
            return false;
        }
        act(next);
        return true;
    }

    /** The attempt under way, or null between attempts. */
    Attempt current() {
        return attempt;
    }

    /** A hold for a warming endpoint ended (released, out of time, or the exchange over): it is told as {@code warm}. */
    private void endParking() {
        if (parkedAt != UNPARKED) {
            record.warmed(context.ticker().nanoTime() - parkedAt);
            trace.held("cold_start", context.ticker().nanoTime() - parkedAt);
            parkedAt = UNPARKED;
        }
    }

    /** A hold for an open breaker's probe ended: it is told as {@code breaker}. */
    private void endProbeHold() {
        if (heldForProbeAt != UNPARKED) {
            record.heldForBreaker(context.ticker().nanoTime() - heldForProbeAt);
            trace.held("breaker", context.ticker().nanoTime() - heldForProbeAt);
            heldForProbeAt = UNPARKED;
        }
    }

    /** Ends the attempt under way, if any: its verdict, its slot and its connection go. */
    private void end() {
        if (attempt != null) {
            record.attemptEnded(context.ticker().nanoTime());
            trace.attemptEnded(attempt.status());
            attempt.close(false);
            attempt = null;
            relay.end();
            timeouts.attemptEnded();
            body.releaseHeld();
        }
    }

    /**
     * The exchange is over with {@code ending}: a pending retry is not made, and the attempt under
     * way ends, its connection kept only when {@code complete}. Out of time while waiting on the
     * endpoint counts against it; anything else that ends an attempt early says nothing about it.
     * A stream that broke is counted by how its recovery ended; true when it was continued.
     */
    /** @param deadlinePassed the route's own deadline passed, with this attempt's endpoint still silent */
    boolean finish(boolean deadlinePassed, boolean complete, boolean success) {
        endParking();
        endProbeHold();
        if (waitTimer != null) {
            waitTimer.cancel(false);
        }
        if (attempt != null) {
            attempt.verdict(deadlinePassed && !attempt.headSeen() ? BreakerVerdict.FAILURE : BreakerVerdict.NONE);
            if (complete && attempt.headSeen()) {
                attempt.limit.completed(attempt.startedNanos, context.ticker().nanoTime() - attempt.startedNanos);
                long firstEvent = record.firstEventNanos() < 0 ? -1 : record.startNanos() + record.firstEventNanos();
                if (firstEvent >= attempt.startedNanos) { // a stream's first token came from this attempt
                    attempt.limit.firstToken(attempt.startedNanos, firstEvent - attempt.startedNanos);
                }
            }
            trace.attemptEnded(attempt.status());
            attempt.close(complete);
            attempt = null;
            relay.end();
        }
        RecoveryOutcome outcome = continuation.recovery() == null ? null : continuation.recovery().outcome(success);
        if (outcome != null) {
            context.metrics().streamRecovered(route.name(), outcome.label());
        }
        return outcome == RecoveryOutcome.CONTINUED || outcome == RecoveryOutcome.REGENERATED;
    }
}
