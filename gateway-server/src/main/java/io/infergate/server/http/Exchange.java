package io.infergate.server.http;

import io.infergate.core.error.Ending;
import io.infergate.core.error.GatewayError;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.route.Route;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.sse.StreamRequests;
import io.infergate.core.timeout.ClientDeadline;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.core.upstream.Endpoint;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.upstream.ConnectionPool;
import io.infergate.server.upstream.UpstreamConnection;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One request's way through the gateway, on the client's event loop, as a sequence of named
 * {@link Phase}s. Decisions come back as values ({@link GateResult} from the gate, {@link Next} from
 * the {@link AttemptLoop}); callbacks come only from what is truly asynchronous: the upstream's
 * events ({@link ResponseRelay}), the clocks, a parked request's release, a queued request's turn.
 * <pre>
 * AWAITING_BODY -&gt; GATING          the whole body is in
 * GATING        -&gt; CONNECTING      admitted: the first attempt has its endpoint
 * GATING        -&gt; WARMING_WAIT    admitted, and the endpoint chosen is warming
 * CONNECTING    -&gt; AWAITING_HEAD   the request is on its way up
 * AWAITING_HEAD -&gt; HOLDING         a head judged by its body or first event before the client sees it
 * AWAITING_HEAD -&gt; RELAYING        the response goes to the client (also from HOLDING)
 * CONNECTING, AWAITING_HEAD, HOLDING -&gt; RETRY_WAIT, CONNECTING (fallback), WARMING_WAIT
 * RETRY_WAIT, WARMING_WAIT -&gt; CONNECTING
 * any           -&gt; DONE            {@link #finish}, exactly once, on every path
 * </pre>
 */
final class Exchange implements ColdStartWait.Listener {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private final ProxyHandler owner;
    private final ChannelHandlerContext client;
    private final ProxyContext context;
    private final Route route;
    private final HttpRequest request;
    private final String requestId;
    private final long startNanos;
    private final ExchangeRecord record;
    private final RequestBody body;
    private final ExchangeTimeouts timeouts;
    private final ExchangeTimer timer;
    /** What the client is told, and whether its connection is kept. */
    private final ClientResponder responder;
    /** Tenant, rate limit and admission; its permit is held to the end. */
    private final RequestGate gate;
    private final GatePassage passage;
    private final ColdStartWait coldStart;
    private final AttemptLoop loop;
    private final ResponseRelay relay;
    private final String routeTarget;
    private final String clientAuthorization;
    /** {@code Prefer: respond-async}: the request is to become a job, answered {@code 202} at once. */
    private final boolean asyncSubmit;
    /** Whether the client asked for an event stream; with early headers, the body may still say so. */
    private boolean streamAsked;

    private Phase phase = Phase.AWAITING_BODY;
    private Attempt attempt;
    private ScheduledFuture<?> retryTimer;
    /** Whether the gate's verdict came inside the client's read, whose end flushes the request up. */
    private boolean inClientRead;

    Exchange(ProxyHandler owner, ChannelHandlerContext client, ProxyContext context, Route route,
             HttpRequest request, String requestId, String clientAddress) {
        this.owner = owner;
        this.client = client;
        this.context = context;
        this.route = route;
        this.request = request;
        this.requestId = requestId;
        this.startNanos = context.ticker().nanoTime();
        this.record = new ExchangeRecord(System.currentTimeMillis(), startNanos, requestId, request.method().name(),
                request.uri(), route.name());
        this.gate = new RequestGate(context, route, request.headers(), client.executor());
        // A job's own request has the job's deadline; a client's may shorten the route's.
        long total = gate.isJob() ? context.jobs().config().deadline().toNanos() : ClientDeadline.totalNanos(
                request.headers().get(ClientDeadline.HEADER), route.timeouts().total().toNanos());
        this.timeouts = new ExchangeTimeouts(route.timeouts(), startNanos, total,
                context.server().bodyTimeout().toNanos(), context.server().writeTimeout().toNanos());
        this.timer = new ExchangeTimer(client.executor(), timeouts, context.ticker(), this::expired, this::done);
        this.asyncSubmit = !gate.isJob() && context.jobs() != null && JobSubmission.asked(request.headers());
        this.routeTarget = route.upstreamTarget(request.uri(), "");
        int query = routeTarget.indexOf('?');
        String routePath = query < 0 ? routeTarget : routeTarget.substring(0, query);
        this.streamAsked = StreamRequests.asksForStream(routePath, request.headers().get(HttpHeaderNames.ACCEPT));
        this.clientAuthorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        boolean anotherAttemptPossible = route.upstreams().size() > 1 || route.retry().attempts() > 1
                || route.rewritesModel() || gate.needsBody() || asyncSubmit;
        this.body = new RequestBody(request, client.alloc(), context.server().maxBodyBytes(),
                route.heartbeat().earlyHeaders() && !streamAsked, anotherAttemptPossible);
        this.responder = new ClientResponder(client, context, route, record, request, requestId,
                StreamProtocol.forPath(routePath));
        this.passage = new GatePassage(gate, body, request, route, context, record, timeouts, responder, startNanos,
                asyncSubmit, this::gateDecided);
        this.coldStart = new ColdStartWait(client.executor(), this);
        ConnectionPool pool = context.pools().forLoop(client.channel().eventLoop());
        this.loop = new AttemptLoop(route, coldStart, timeouts, context.ticker(), pool);
        this.relay = new ResponseRelay(this, client, context, route, record, responder, timeouts, loop, body, gate,
                requestId);
        ForwardingHeaders.toUpstream(request, requestId, clientAddress);
    }

    // ---- the way in: the body, then the gate ------------------------------------------------------

    void start() {
        context.exchangeStarted();
        context.metrics().exchangeStarted(route.name());
        timer.start(startNanos);
        streamEarlyIfAsked();
        passage.start();
    }

    /** A piece of the client's request body; the exchange owns it from here. */
    void onRequestContent(HttpContent content) {
        if (phase != Phase.AWAITING_BODY) {
            content.release(); // the exchange is over: what the client still sends is dropped
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            fail(GatewayError.BAD_REQUEST, "malformed request body: " + content.decoderResult().cause().getMessage());
            return;
        }
        if (!body.accept(content)) {
            content.release();
            fail(GatewayError.PAYLOAD_TOO_LARGE, GatewayError.PAYLOAD_TOO_LARGE.defaultMessage());
            return;
        }
        body.hold(content);
        if (body.askedForStream()) {
            streamAsked = true;
            streamEarlyIfAsked();
        }
        if (body.complete()) {
            timeouts.bodyReceived();
            moveTo(Phase.GATING);
        }
        passage.bodyArrived();
    }

    /** With early headers, a client that asked for a stream gets its head and heartbeats now. */
    private void streamEarlyIfAsked() {
        if (streamAsked && !asyncSubmit && phase != Phase.DONE) {
            responder.streamEarly();
        }
    }

    private void gateDecided(GateResult result) {
        if (phase == Phase.DONE) {
            return; // the gate's own close already gave back what it decided
        }
        if (result instanceof GateResult.Pass pass) {
            inClientRead = pass.inRead();
            act(loop.start(false));
            inClientRead = false;
            if (!pass.inRead()) {
                owner.readIfWanted();
            }
        } else if (result instanceof GateResult.Accepted accepted) {
            finish(Ending.Normal.SUCCESS, responder.accepted(accepted.job()), false);
        } else if (result instanceof GateResult.Refused refused) {
            fail(refused.error(), refused.message());
        }
    }

    // ---- the attempt loop: act on its decisions ---------------------------------------------------

    /** Carries out {@code next}: any decision but {@link Next#DELIVER} ends the current attempt first. */
    void act(Next next) {
        if (next == Next.DELIVER) {
            return;
        }
        closeAttempt();
        if (next instanceof Next.Go go) {
            connect(go.attempt());
        } else if (next instanceof Next.Retry retry) {
            context.metrics().retried(route.name(), loop.upstream().name());
            record.retried();
            moveTo(Phase.RETRY_WAIT);
            retryTimer = client.executor().schedule(() -> act(loop.start(retry.avoidLast())), retry.delayNanos(),
                    TimeUnit.NANOSECONDS);
        } else if (next == Next.FALLBACK) {
            Next started = loop.start(false);
            if (!(started instanceof Next.GiveUp)) {
                context.metrics().fellBack(route.name(), loop.upstream().name());
            }
            act(started);
        } else if (next == Next.AGAIN) {
            act(loop.start(false));
        } else if (next == Next.PARK) {
            moveTo(Phase.WARMING_WAIT);
        } else if (next instanceof Next.GiveUp giveUp) {
            if (giveUp.retryAfterSeconds() > 0) {
                responder.retryAfter(giveUp.retryAfterSeconds());
            }
            fail(giveUp.error(), giveUp.error().defaultMessage());
        }
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

    // ---- the way up: connect, then send the head and the whole body --------------------------------

    private void connect(Attempt next) {
        moveTo(Phase.CONNECTING);
        attempt = next;
        record.attemptStarted(next.upstream.name(), next.endpoint.url().toString());
        ForwardingHeaders.address(request, next.endpoint.url().basePath() + routeTarget, next.endpoint.url(),
                next.upstream.auth(), clientAuthorization);
        if (next.upstream.coldStart().scaleUpTimeoutHeader()) {
            // HF's proxy holds the request itself while a replica starts, as long as it can wait.
            long now = context.ticker().nanoTime();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(
                    coldStart.canStillHold(next.upstream.coldStart(), now, timeouts.nanosLeft(now)));
            request.headers().set(GatewayHeaders.X_SCALE_UP_TIMEOUT, Math.max(1, seconds));
        }
        relay.begin(next);
        Future<UpstreamConnection> acquired = next.connect(relay, route.timeouts().connect().toMillis());
        if (acquired.isDone()) {
            // A pooled connection: inside the client's read, whose end flushes the request up.
            onConnected(next, acquired, !inClientRead);
        } else {
            acquired.addListener(f -> onConnected(next, acquired, true));
        }
    }

    private void onConnected(Attempt connecting, Future<UpstreamConnection> future, boolean flush) {
        if (connecting != attempt) {
            if (future.isSuccess()) {
                connecting.returnUnused(future.getNow());
            }
            return;
        }
        if (!future.isSuccess()) {
            GatewayError cause = ConnectionPool.failureCause(future.cause());
            attemptFailed(new AttemptOutcome.ConnectFailed(cause == GatewayError.CONNECT_TIMEOUT), cause);
            return;
        }
        UpstreamConnection connection = connecting.attach(future.getNow());
        stampConnected(connection);
        Channel channel = connection.channel();
        if (body.sendWith(request, channel, connecting.upstream.rewriteModel()) || flush) {
            channel.flush();
        }
        connecting.requestSent();
        long now = context.ticker().nanoTime();
        timeouts.requestSent(now);
        record.requestSent(now);
        moveTo(Phase.AWAITING_HEAD);
        channel.read();
    }

    /** The attempt's connect time: a new connection's goes to the meter, a pooled one took none. */
    private void stampConnected(UpstreamConnection connection) {
        boolean opened = connection.reuses() == 0;
        record.connected(opened ? connection.connectNanos() : 0);
        if (opened) {
            context.metrics().upstreamConnected(attempt.upstream.name(), record.endpoint(), connection.connectNanos());
        }
    }

    /** The attempt gave no answer: another is made when the loop says so, else the client hears why. */
    void attemptFailed(AttemptOutcome outcome, GatewayError error) {
        act(loop.failed(attempt, outcome, error, relay.anotherAttemptPossible()));
    }

    /** Ends the current attempt, if any: its verdict, its slot and its connection go. */
    private void closeAttempt() {
        if (attempt != null) {
            attempt.close(false);
            attempt = null;
            relay.end();
            timeouts.attemptEnded();
            body.releaseHeld();
        }
    }

    // ---- what the client does ----------------------------------------------------------------------

    /** The client's read batch ended: push what it brought on to the upstream. */
    void onClientReadComplete() {
        if (attempt != null) {
            attempt.flush();
        }
    }

    /** More request body is welcome until the whole of it is in; {@code maxBodyBytes} bounds it. */
    boolean wantsRequestBody() {
        return phase == Phase.AWAITING_BODY;
    }

    boolean requestComplete() {
        return body.complete();
    }

    /** The client drained its buffer: the upstream's read, paused for it, resumes. */
    void onClientWritabilityChanged(boolean writable) {
        if (writable && attempt != null) {
            timeouts.clientDrained(context.ticker().nanoTime());
            attempt.clientDrained();
        }
    }

    /** The client went away: the upstream connection goes too, so the model stops working for nobody. */
    void onClientClosed() {
        if (phase != Phase.DONE) {
            responder.clientClosed();
            finish(Ending.Normal.CANCELLED, false, false);
        }
    }

    /** The drain timeout passed: a stream ends with its error event; anything else closes with the connection. */
    void onShutdownCut() {
        if (phase != Phase.DONE && responder.stream() != null) {
            fail(GatewayError.SHUTDOWN, GatewayError.SHUTDOWN.defaultMessage());
        }
    }

    // ---- the clocks ----------------------------------------------------------------------------------

    private void expired(GatewayError timeout) {
        if (timeout == GatewayError.FIRST_BYTE_TIMEOUT && phase.attempting() && !attempt.headSeen()) {
            attemptFailed(new AttemptOutcome.FirstByteTimeout(), timeout);
        } else if (timeout == GatewayError.FIRST_TOKEN_TIMEOUT && phase == Phase.HOLDING) {
            // A stream sent its head but no event in time: the plan moves on as from a silent
            // endpoint. With nowhere to go, the stream is relayed and may still start.
            relay.judgeHeld(true);
        } else if (timeout == GatewayError.CLIENT_WRITE_TIMEOUT) {
            // A client that reads nothing would not read an error either: its connection goes now.
            log.debug("request {} on route {}: the client read nothing for {}", requestId, route,
                    context.server().writeTimeout());
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

    Phase phase() {
        return phase;
    }

    boolean done() {
        return phase == Phase.DONE;
    }

    /** Answers the client with {@code error} (an error event on a stream) and finishes. */
    void fail(GatewayError error, String message) {
        if (phase != Phase.DONE) {
            log.debug("request {} on route {} failed: {}", requestId, route, error.cause());
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
        if (retryTimer != null) {
            retryTimer.cancel(false);
        }
        responder.stop();
        body.release();
        coldStart.end(loop.endpoint());
        gate.close(ending.byClient());
        if (attempt != null) {
            // Out of time while waiting on the endpoint counts against it; anything else that ends an
            // attempt early (the client leaving, a bad body) says nothing about it.
            attempt.verdict(ending == GatewayError.DEADLINE_EXCEEDED && !attempt.headSeen()
                    ? BreakerVerdict.FAILURE : BreakerVerdict.NONE);
            attempt.close(upstreamComplete);
            relay.end();
        }
        context.exchangeEnded();
        long now = context.ticker().nanoTime();
        record.finished(now, responder.status(), ending.tag(), responder.stream() != null, loop.onFallback());
        record.bytes(body.bytes(), owner.bodyBytesSent());
        context.accessLog().write(record);
        String upstreamName = loop.upstream() == null ? "none" : loop.upstream().name();
        context.metrics().exchangeCompleted(route.name(), upstreamName, responder.status(), ending.tag(), now - startNanos);
        owner.exchangeFinished(keepClient);
    }
}
