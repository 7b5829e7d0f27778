package io.infergate.server.exchange;

import io.infergate.server.relay.ClientResponder;
import io.infergate.server.jobs.JobSubmission;
import io.infergate.core.error.GatewayError;
import io.infergate.core.ratelimit.Decision;
import io.infergate.core.route.Route;
import io.infergate.core.tenant.Tenant;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.server.jobs.Jobs;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.tracing.ExchangeTrace;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;

import java.util.function.Consumer;

/**
 * The request's way through its {@link RequestGate} to the first attempt: the gate opens once the
 * body it needs is in, and then the request is admitted, stored as a job ({@code Prefer:
 * respond-async}), or refused, each counted. Separate from the exchange, which hears only the
 * verdict; this owns the wait for the body and what is stamped and metered at the gate.
 */
final class GatePassage implements RequestGate.Listener {

    private final RequestGate gate;
    private final RequestBody body;
    private final HttpRequest request;
    private final Route route;
    private final ProxyContext context;
    private final ExchangeRecord record;
    private final ExchangeTimeouts timeouts;
    private final ClientResponder responder;
    /** {@code Prefer: respond-async}: the request is to become a job, answered {@code 202} at once. */
    private final boolean asyncSubmit;
    private final Consumer<GateResult> exchange;
    private final ExchangeTrace trace;
    private boolean inRead;
    /** Whether the client asked for an event stream; with early headers, the body may still say so. */
    private boolean streamAsked;

    GatePassage(RequestGate gate, RequestBody body, HttpRequest request, Route route, ProxyContext context,
                ExchangeRecord record, ExchangeTimeouts timeouts, ClientResponder responder,
                boolean asyncSubmit, boolean streamAsked, ExchangeTrace trace, Consumer<GateResult> exchange) {
        this.gate = gate;
        this.body = body;
        this.request = request;
        this.route = route;
        this.context = context;
        this.record = record;
        this.timeouts = timeouts;
        this.responder = responder;
        this.asyncSubmit = asyncSubmit;
        this.streamAsked = streamAsked;
        this.exchange = exchange;
        this.trace = trace;
    }

    /**
     * The request's head is in: a client that asked for an event stream gets its head and heartbeats
     * now (with early headers), while the body, the gate and the upstream are still to come.
     */
    void start() {
        streamEarlyIfAsked();
    }

    /**
     * Takes a piece of the client's body; true once the whole body is in, and the gate may open.
     * A request takes no admission slot, no upstream connection and no breaker permit while its
     * client is still sending: a client that trickles its body costs the gateway a buffer of at most
     * {@code maxBodyBytes}, and an endpoint nothing. A malformed or oversized body is refused.
     */
    boolean take(HttpContent content) {
        if (content.decoderResult().isFailure()) {
            content.release();
            refuse(GatewayError.BAD_REQUEST, "malformed request body: " + content.decoderResult().cause().getMessage());
            return false;
        }
        if (!body.accept(content)) {
            content.release();
            refuse(GatewayError.PAYLOAD_TOO_LARGE, GatewayError.PAYLOAD_TOO_LARGE.defaultMessage());
            return false;
        }
        body.hold(content);
        if (body.askedForStream()) {
            streamAsked = true;
            streamEarlyIfAsked();
        }
        if (body.complete()) {
            timeouts.bodyReceived();
            record.bodyReceived(context.ticker().nanoTime());
            return true;
        }
        return false;
    }

    private void streamEarlyIfAsked() {
        if (streamAsked && !asyncSubmit) {
            responder.streamEarly();
        }
    }

    private void refuse(GatewayError error, String message) {
        exchange.accept(new GateResult.Refused(error, message));
    }

    /**
     * Opens the gate, with the whole body in hand: the gate may need it (the tenant's token
     * reservation, a job's submission). Called inside the client's read, whose end flushes what an
     * attempt started at once writes.
     */
    void open() {
        inRead = true;
        // The queue's wait starts now, with the body in; the deadline still runs from the head.
        // A job waits for its turn in the job runner, and its own run passes admission. On a route
        // whose admission has no queue that run could never wait for a slot: the submission itself
        // passes admission now, and is refused as a plain request would be.
        boolean admit = !asyncSubmit || !route.admission().queues();
        if (trace.recording()) {
            trace.requestBody(body.wholeBody());
        }
        gate.open(gate.needsBody() ? body.wholeBody() : null, context.ticker().nanoTime(), timeouts.deadline(),
                admit, this);
        inRead = false;
    }

    /** Told to a trace that records, with the queue's depth then. */
    @Override
    public void queued() {
        if (trace.recording()) {
            trace.queued(route.admission().queueDepth());
        }
    }

    /** The gate let the request through: its attempts begin, or it becomes a job. */
    @Override
    public void passed() {
        if (asyncSubmit) {
            gate.releaseUnused();
            submitJob();
            return;
        }
        Tenant tenant = gate.tenant();
        record.admitted(tenant.name(), gate.queueWaitNanos());
        responder.rateLimitedBy(gate.rateLimit());
        trace.admitted(tenant.name(), tenant.tier().name(), gate.queueWaitNanos());
        context.metrics().queueWaited(route.name(), tenant.tier().name(), gate.queueWaitNanos());
        exchange.accept(new GateResult.Pass(inRead));
    }

    /**
     * {@code Prefer: respond-async}: the request is stored as a job and answered {@code 202} once it
     * is, back on the client's loop; a job that could not be stored is {@code 503 store_unavailable}.
     */
    private void submitJob() {
        Tenant tenant = gate.tenant();
        record.identified(tenant.name());
        String traceparent = trace.traceparent();
        if (traceparent != null) {
            request.headers().set("traceparent", traceparent); // the job's run links to this span
        }
        JobSubmission.submit(context.jobs(), tenant.name(), route, request, body.wholeBody())
                .whenComplete((submission, failure) -> gate.onLoop(() -> submitted(submission)));
    }

    private void submitted(Jobs.Submission submission) {
        if (submission == null) {
            responder.retryAfter(RequestGate.STORE_RETRY_AFTER_SECONDS);
            exchange.accept(new GateResult.Refused(GatewayError.STORE_UNAVAILABLE,
                    "the job could not be stored: " + GatewayError.STORE_UNAVAILABLE.defaultMessage()));
        } else {
            exchange.accept(submission.job() == null ? new GateResult.Refused(submission.refusal(),
                    submission.message()) : new GateResult.Accepted(submission.job()));
        }
    }

    /** The gate refused the request: unknown key, forbidden route, rate limit, or admission. */
    @Override
    public void refused(GatewayError error, String message, long retryAfter, Decision rateLimit) {
        Tenant tenant = gate.tenant();
        if (tenant != null) {
            record.identified(tenant.name());
            if (error == GatewayError.RATE_LIMITED) {
                context.metrics().rateLimited(route.name(), tenant.tier().name());
            } else if (error == GatewayError.SHED_OVERLOAD || error == GatewayError.QUEUE_FULL) {
                context.metrics().shed(route.name(), error.cause(), tenant.tier().name());
            }
        }
        trace.refused(tenant == null ? null : tenant.name(), error.cause(), message, gate.predictedWaitNanos());
        responder.retryAfter(retryAfter);
        responder.rateLimitedBy(rateLimit);
        exchange.accept(new GateResult.Refused(error, message));
    }
}
