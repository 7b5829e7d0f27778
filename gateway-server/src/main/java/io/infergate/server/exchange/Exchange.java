package io.infergate.server.exchange;

import io.infergate.server.relay.ClientResponder;
import io.infergate.server.wire.ClientOrigin;
import io.infergate.server.wire.ForwardingHeaders;
import io.infergate.server.jobs.JobSubmission;
import io.infergate.core.error.Ending;
import io.infergate.core.error.GatewayError;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.route.Route;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.sse.StreamRequests;
import io.infergate.core.timeout.ClientDeadline;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.core.upstream.Endpoint;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.metrics.RequestPath;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One request's way through the gateway, on the client's event loop, as a sequence of named
 * {@link Phase}s. Decisions come back as values ({@link GateResult} from the gate, {@link Next} from
 * the {@link AttemptLoop}); callbacks come only from what is truly asynchronous: the upstream's
 * events ({@link ResponseRelay}), the clocks, a parked request's release, a queued request's turn.
 * <pre>
 * AWAITING_BODY -&gt; GATING          the whole body is in (at once after a {@link ModelIntake}, which took it first)
 * GATING        -&gt; CONNECTING      admitted: the first attempt has its endpoint
 * GATING        -&gt; WARMING_WAIT    admitted, and the endpoint chosen is warming
 * GATING        -&gt; BREAKER_WAIT    admitted, every breaker open, and a probe due within the deadline
 * BREAKER_WAIT  -&gt; CONNECTING      the probe is due (or, while another request makes it, BREAKER_WAIT again)
 * CONNECTING    -&gt; AWAITING_HEAD   the request is on its way up
 * AWAITING_HEAD -&gt; HOLDING         a head judged by its body or first event before the client sees it
 * AWAITING_HEAD -&gt; RELAYING        the response goes to the client (also from HOLDING)
 * CONNECTING, AWAITING_HEAD, HOLDING -&gt; RETRY_WAIT, CONNECTING (fallback), WARMING_WAIT
 * RETRY_WAIT, WARMING_WAIT, BREAKER_WAIT -&gt; CONNECTING, or WARMING_WAIT (the endpoint reached is warming)
 * RELAYING      -&gt; CONNECTING      a stream broke after content reached the client: recovery continues it elsewhere
 * any           -&gt; DONE            {@link #finish}, exactly once, on every path
 * </pre>
 */
public final class Exchange implements ClientRequest, ColdStartWait.Listener {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private final ClientConnection owner;
    private final ChannelHandlerContext client;
    private final ProxyContext context;
    private final Route route;
    private final String requestId;
    private final long startNanos;
    /** The deadline is the route's own; one the client shortened says nothing of an endpoint when it passes. */
    private final boolean deadlineIsRoutes;
    private final ExchangeRecord record;
    private final RequestBody body;
    private final ExchangeTimeouts timeouts;
    private final ExchangeTimer timer;
    private final ClientResponder responder; // what the client is told, and whether its connection is kept
    private final RequestGate gate; // tenant, rate limit and admission; its permit is held to the end
    private final GatePassage passage;
    private final ColdStartWait coldStart;
    private final AttemptLoop loop;
    private final ResponseRelay relay;
    private final AttemptRunner runner;
    private final ContinuationRelay continuation;

    private Phase phase = Phase.AWAITING_BODY;

    Exchange(ClientConnection owner, ChannelHandlerContext client, ProxyContext context, Route route,
             HttpRequest request, String requestId, ClientOrigin origin, long startNanos) {
        this.owner = owner;
        this.client = client;
        this.context = context;
        this.route = route;
        this.requestId = requestId;
        this.startNanos = startNanos;
        this.record = new ExchangeRecord(System.currentTimeMillis(), startNanos, requestId, request.method().name(),
                request.uri(), route.name());
        this.gate = new RequestGate(context, route, request.headers(), client.executor());
        var trace = context.tracing().begin(request, record, gate.isJob()); // ExchangeTrace.OFF unless tracing
        // A job's own request has the job's deadline; a client's may shorten the route's.
        long total = gate.isJob() ? context.jobs().config().deadline().toNanos() : ClientDeadline.totalNanos(
                request.headers().get(ClientDeadline.HEADER), route.timeouts().total().toNanos());
        this.deadlineIsRoutes = total >= route.timeouts().total().toNanos(); // a shorter one is the client's
        this.timeouts = new ExchangeTimeouts(route.timeouts(), startNanos, total,
                context.server().bodyTimeout().toNanos(), context.server().writeTimeout().toNanos());
        this.timer = new ExchangeTimer(owner.clock(), timeouts, this::expired, this::done);
        boolean asyncSubmit = !gate.isJob() && context.jobs() != null && JobSubmission.asked(request.headers());
        String routeTarget = route.upstreamTarget(request.uri(), "");
        String routePath = RequestPath.of(routeTarget);
        boolean streamAsked = StreamRequests.asksForStream(routePath, request.headers().get(HttpHeaderNames.ACCEPT));
        boolean anotherAttemptPossible = route.upstreams().size() > 1 || route.retry().attempts() > 1
                || route.rewritesModel() || gate.needsBody() || asyncSubmit || ContinuationRelay.possible(route)
                || trace.recording(); // a traced request's body names its model
        this.body = new RequestBody(request, client.alloc(), context.server().maxBodyBytes(),
                route.heartbeat().earlyHeaders() && !streamAsked, anotherAttemptPossible);
        this.responder = new ClientResponder(client, context.ticker(), context.metrics(), context::draining, route, record,
                request, requestId, StreamProtocol.forPath(routePath), trace);
        this.passage = new GatePassage(gate, body, request, route, context, record, timeouts, responder,
                asyncSubmit, streamAsked, trace, this::gateDecided);
        this.coldStart = new ColdStartWait(client.executor(), this);
        this.loop = new AttemptLoop(route, coldStart, timeouts, context.ticker(),
                context.pools().forLoop(client.channel().eventLoop()));
        this.continuation = new ContinuationRelay(this, route, routePath, body, loop);
        this.relay = new ResponseRelay(this, client, context, route, record, responder, timeouts, loop, body, gate,
                requestId, continuation);
        UpstreamRequest upstreamRequest = new UpstreamRequest(this, request, routeTarget, route, context, record,
                timeouts, body, coldStart, relay, trace);
        this.runner = new AttemptRunner(this, loop, upstreamRequest, relay, timeouts, body, responder, context, route,
                record, client.executor(), continuation, trace);
        ForwardingHeaders.toUpstream(request, requestId, origin);
    }

    // ---- the way in: the body, then the gate ------------------------------------------------------

    void start() {
        context.exchangeStarted();
        context.metrics().exchangeStarted(route.name());
        timer.start(startNanos);
        passage.start();
    }

    /** A piece of the client's request body; the exchange owns it from here. */
    public void onRequestContent(HttpContent content) {
        if (phase != Phase.AWAITING_BODY) {
            content.release(); // the exchange is over: what the client still sends is dropped
        } else if (passage.take(content)) {
            moveTo(Phase.GATING);
            passage.open();
        }
    }

    private void gateDecided(GateResult result) {
        if (phase == Phase.DONE) {
            return; // the gate's own close already gave back what it decided
        }
        if (result instanceof GateResult.Pass pass) {
            runner.first(pass.inRead());
            if (!pass.inRead()) {
                owner.readIfWanted();
            }
        } else if (result instanceof GateResult.Accepted accepted) {
            finish(Ending.Normal.SUCCESS, responder.accepted(JobSubmission.accepted(client.alloc(), accepted.job(), requestId)), false);
        } else if (result instanceof GateResult.Refused refused) {
            fail(refused.error(), refused.message());
        }
    }

    // ---- the attempt loop's decisions, carried out by the runner -------------------------------------

    void act(Next next) {
        runner.act(next);
    }

    /** The endpoint warmed, or the probe is this request's turn: the plan's next endpoint gets it. */
    @Override
    public void releasedFromWarming() {
        act(loop.start(false));
    }

    @Override
    public void warmingHoldExpired(Endpoint endpoint) {
        if (phase != Phase.DONE) {
            act(loop.holdExpired(endpoint));
        }
    }

    /** An attempt starts; a job's run tells the job's document, where its owner sees it. */
    void attemptStarted(Attempt attempt) {
        if (gate.jobId() != null) {
            context.jobs().attempted(gate.jobId(), attempt.upstream.name());
        }
    }

    /** Whether {@code candidate} is the attempt under way; a connection for any other is not wanted. */
    boolean isCurrent(Attempt candidate) {
        return candidate == runner.current();
    }

    void attemptFailed(AttemptOutcome outcome, GatewayError error) {
        context.pools().problems().requestFailed(loop.endpoint(), error);
        runner.failed(outcome, error);
    }

    // ---- what the client does ----------------------------------------------------------------------

    /** The client's read batch ended: push what it brought on to the upstream. */
    public void onClientReadComplete() {
        if (runner.current() != null) {
            runner.current().flush();
        }
    }

    /** More request body is welcome until the whole of it is in; {@code maxBodyBytes} bounds it. */
    public boolean wantsRequestBody() {
        return phase == Phase.AWAITING_BODY;
    }

    public boolean requestComplete() {
        return body.complete();
    }

    /** The client drained its buffer: the upstream's read, paused for it, resumes. */
    public void onClientWritabilityChanged(boolean writable) {
        if (writable && runner.current() != null) {
            timeouts.clientDrained(context.ticker().nanoTime());
            runner.current().clientDrained();
        }
    }

    /** The client went away: the upstream connection goes too, so the model stops working for nobody. */
    public void onClientClosed() {
        if (phase != Phase.DONE) {
            responder.clientClosed();
            finish(Ending.Normal.CANCELLED, false, false);
        }
    }

    /** The drain timeout passed: a stream ends with its error event; anything else closes with the connection. */
    public boolean onShutdownCut() {
        boolean endsItself = phase != Phase.DONE && responder.stream() != null;
        if (endsItself) {
            fail(GatewayError.SHUTDOWN, GatewayError.SHUTDOWN.defaultMessage());
        }
        return endsItself;
    }

    // ---- the clocks ----------------------------------------------------------------------------------

    private void expired(GatewayError timeout) {
        if (timeout == GatewayError.FIRST_BYTE_TIMEOUT && phase.attempting() && !runner.current().headSeen()) {
            attemptFailed(new AttemptOutcome.FirstByteTimeout(), timeout);
        } else if (timeout == GatewayError.FIRST_TOKEN_TIMEOUT && phase == Phase.HOLDING) {
            // A stream sent its head but no event in time: the plan moves on as from a silent
            // endpoint. With nowhere to go, the stream is relayed and may still start.
            relay.judgeHeld(true);
        } else if (timeout == GatewayError.STREAM_IDLE_TIMEOUT && phase == Phase.RELAYING) {
            continuation.broke(timeout);
        } else if (timeout == GatewayError.CLIENT_WRITE_TIMEOUT) {
            // A client that reads nothing would not read an error either: its connection goes now.
            log.debug("request {}: the client read nothing for {}", requestId, context.server().writeTimeout());
            finish(timeout, responder.abandon(), false);
        } else {
            fail(timeout, timeout.defaultMessage());
        }
    }

    // ---- the end, exactly once -----------------------------------------------------------------------

    /** The phase moves on, as {@link Phase} allows. */
    void moveTo(Phase to) {
        phase = phase.check(to);
    }

    boolean done() {
        return phase == Phase.DONE;
    }

    /** A relayed stream broke with {@code error}: true when a continuation takes over elsewhere. */
    boolean resume(GatewayError error) {
        return phase == Phase.RELAYING && runner.resume(error);
    }

    /** Answers the client with {@code error} (an error event on a stream) and finishes. */
    void fail(GatewayError error, String message) {
        if (phase != Phase.DONE) {
            log.debug("request {} on route {} failed: {}", requestId, route, error.cause());
            context.pools().problems().requestFailed(loop.endpoint(), error);
            finish(error, responder.fail(error, message, body.complete()), false);
        }
    }

    /**
     * Releases everything the exchange holds. The upstream connection goes back to the pool only
     * after a clean, complete exchange ({@code upstreamComplete}); anything else closes it. Whoever
     * wrote the client's last bytes has already arranged its close when it is not kept.
     */
    void finish(Ending ending, boolean keepClient, boolean upstreamComplete) {
        phase = phase.check(Phase.DONE);
        timer.cancel();
        responder.stop();
        body.release();
        coldStart.end(loop.endpoint());
        gate.close(ending.byClient());
        boolean success = ending == Ending.Normal.SUCCESS;
        boolean recovered = runner.finish(ending == GatewayError.DEADLINE_EXCEEDED && deadlineIsRoutes, upstreamComplete, success);
        if (upstreamComplete && success) {
            context.pools().problems().answeredWhole(loop.endpoint());
        }
        context.exchangeEnded();
        record.finished(context.ticker().nanoTime(), responder.status(), ending.tag(), responder.stream() != null,
                loop.onFallback(), recovered);
        record.bytes(body.bytes(), owner.bodyBytesSent());
        context.finished(record, responder, loop.upstream() == null ? "none" : loop.upstream().name());
        owner.exchangeFinished(keepClient);
    }
}
