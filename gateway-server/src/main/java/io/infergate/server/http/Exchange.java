package io.infergate.server.http;

import io.infergate.core.error.Ending;
import io.infergate.core.error.GatewayError;
import io.infergate.core.ratelimit.Decision;
import io.infergate.core.job.Job;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.route.Route;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.sse.StreamRequests;
import io.infergate.core.timeout.ClientDeadline;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.upstream.ConnectionPool;
import io.infergate.server.upstream.UpstreamConnection;
import io.infergate.server.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.TimeUnit;

/**
 * One request's way through the gateway, on the client's event loop: connect, send the head and
 * stream the body up, then relay the response head and body down as they arrive, reading from
 * the upstream only while the client keeps up. {@link #finish} runs exactly once on every path.
 */
final class Exchange implements UpstreamListener, ColdStartWait.Listener, RequestGate.Listener, GatePassage.Listener,
        NextAttempt.Listener, ExchangeTimer.Listener {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);

    private final ProxyHandler owner;
    private final ChannelHandlerContext client;
    private final ProxyContext context;
    private final Route route;
    private final Attempts attempts;
    private final HttpRequest request;
    private final String requestId;
    private final long startNanos;
    private final RequestBody body;
    private final ExchangeTimeouts timeouts;
    private final StreamProtocol protocol;
    private final String routeTarget;
    private final String clientAuthorization;
    /** What the exchange did, stamped as it goes, for the meters, the access log and Server-Timing. */
    private final ExchangeRecord record;
    /** Whether the first attempt is being started inside the client's read of the request head. */
    private boolean inClientRead;
    /** {@code Prefer: respond-async}: the request is to become a job, answered {@code 202} at once. */
    private final boolean asyncSubmit;

    /** Whether the client asked for an event stream; with early headers, the body may still say so. */
    private boolean streamAsked;
    /** What the client is told, and whether its connection is kept. */
    private final ClientResponder responder;
    /** What follows an attempt that gave the client nothing. */
    private final NextAttempt next;

    /** The current attempt's upstream connection. */
    private final UpstreamLink upstreamLink;
    private boolean upstreamHeadReceived;
    /** A response read in part before it is judged; nothing of it has reached the client. */
    private HeldResponse held;

    private final ColdStartWait coldStart;
    /** Tenant, rate limit and admission, passed before the first attempt; its permit is held to the end. */
    private final RequestGate gate;
    /** The way through the gate: the wait for the body it needs, and its verdict. */
    private final GatePassage passage;

    private final ExchangeTimer timer;
    private boolean skippingInterimResponse;
    private boolean done;

    Exchange(ProxyHandler owner, ChannelHandlerContext client, ProxyContext context, Route route,
             HttpRequest request, String requestId, String clientAddress) {
        this.owner = owner;
        this.client = client;
        this.context = context;
        this.route = route;
        this.attempts = new Attempts(route);
        this.coldStart = new ColdStartWait(client.executor(), this);
        this.upstreamLink = new UpstreamLink(context, client.channel().eventLoop());
        this.gate = new RequestGate(context, route, request.headers(), client.executor(), this);
        this.request = request;
        this.requestId = requestId;
        this.startNanos = context.ticker().nanoTime();
        this.record = new ExchangeRecord(System.currentTimeMillis(), startNanos, requestId, request.method().name(),
                request.uri(), route.name());
        // A job's own request has the job's deadline; a client's may shorten the route's.
        long total = gate.isJob() ? context.jobs().config().deadline().toNanos() : ClientDeadline.totalNanos(
                request.headers().get(ClientDeadline.HEADER), route.timeouts().total().toNanos());
        this.timeouts = new ExchangeTimeouts(route.timeouts(), startNanos, total,
                context.server().bodyTimeout().toNanos(), context.server().writeTimeout().toNanos());
        this.timer = new ExchangeTimer(client.executor(), timeouts, context.ticker(), this);
        this.asyncSubmit = !gate.isJob() && context.jobs() != null && JobSubmission.asked(request.headers());
        this.routeTarget = route.upstreamTarget(request.uri(), "");
        int query = routeTarget.indexOf('?');
        String routePath = query < 0 ? routeTarget : routeTarget.substring(0, query);
        this.protocol = StreamProtocol.forPath(routePath);
        this.streamAsked = StreamRequests.asksForStream(routePath, request.headers().get(HttpHeaderNames.ACCEPT));
        this.clientAuthorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        boolean anotherAttemptPossible = route.upstreams().size() > 1 || route.retry().attempts() > 1
                || route.rewritesModel() || gate.needsBody() || asyncSubmit;
        this.body = new RequestBody(request, client.alloc(), context.server().maxBodyBytes(),
                route.heartbeat().earlyHeaders() && !streamAsked, anotherAttemptPossible);
        this.responder = new ClientResponder(client, context, route, record, request, requestId, protocol);
        this.passage = new GatePassage(gate, body, request, route, context, record, timeouts, responder, startNanos,
                asyncSubmit, this);
        this.next = new NextAttempt(route, attempts, body, coldStart, timeouts, context, record, responder,
                client.executor(), this);
        ForwardingHeaders.toUpstream(request, requestId, clientAddress);
    }

    // ---- the way up: connect, then send the head and the body -------------------------------

    void start() {
        context.exchangeStarted();
        context.metrics().exchangeStarted(route.name());
        timer.start(startNanos);
        commitStreamEarlyIfAsked();
        passage.start();
    }

    // ---- the gate: RequestGate decides, GatePassage acts on its verdict ---------------------------

    @Override
    public void passed() {
        passage.passed();
    }

    @Override
    public void refused(GatewayError error, String message, long retryAfter, Decision rateLimit) {
        passage.refused(error, message, retryAfter, rateLimit);
    }

    /** Admitted, with the whole body in hand: the first attempt starts. */
    @Override
    public void admitted(boolean inRead) {
        inClientRead = inRead;
        startAttempt(false);
        inClientRead = false;
        if (!inRead) {
            owner.readIfWanted();
        }
    }

    @Override
    public void jobAccepted(Job job) {
        finish(Ending.Normal.SUCCESS, responder.accepted(job));
    }

    /** The next endpoint of the plan gets the request; with {@code avoidLast}, not the one that stayed silent. */
    @Override
    public void startAttempt(boolean avoidLast) {
        if (done) {
            return;
        }
        if (!attempts.start(avoidLast)) {
            next.nothingLeft();
            return;
        }
        if (!next.passWarming()) {
            return;
        }
        upstreamHeadReceived = false;
        Endpoint endpoint = attempts.endpoint();
        Upstream upstream = attempts.upstream();
        record.attemptStarted(upstream.name(), endpoint.url().toString());
        ForwardingHeaders.address(request, endpoint.url().basePath() + routeTarget, endpoint.url(), upstream.auth(),
                clientAuthorization);
        if (upstream.coldStart().scaleUpTimeoutHeader()) {
            // HF's proxy holds the request itself while a replica starts, as long as it can wait.
            long now = context.ticker().nanoTime();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(coldStart.canStillHold(upstream.coldStart(), now, timeouts.nanosLeft(now)));
            request.headers().set(GatewayHeaders.X_SCALE_UP_TIMEOUT, Math.max(1, seconds));
        }
        Future<UpstreamConnection> acquired = upstreamLink.acquire(endpoint, this, route.timeouts().connect().toMillis());
        if (acquired.isDone()) {
            // A pooled connection. Inside the client's read, the body that came with the head
            // follows, and the read's end flushes head and body in one write.
            onConnected(acquired, !inClientRead);
        } else {
            acquired.addListener(f -> onConnected(acquired, true));
        }
    }

    // ---- cold starts: ColdStartWait tells the exchange, NextAttempt decides -----------------------

    @Override
    public void releasedFromWarming() {
        startAttempt(false);
    }

    @Override
    public void warmingHoldExpired(Endpoint endpoint) {
        next.warmingHoldExpired(endpoint);
    }

    private void onConnected(Future<UpstreamConnection> future, boolean flush) {
        if (done || !attempts.active()) {
            if (future.isSuccess()) {
                upstreamLink.releaseUnused(future.getNow());
            }
            return;
        }
        if (!future.isSuccess()) {
            GatewayError cause = ConnectionPool.failureCause(future.cause());
            next.attemptFailed(new AttemptOutcome.ConnectFailed(cause == GatewayError.CONNECT_TIMEOUT), cause);
            return;
        }
        UpstreamConnection connection = upstreamLink.attach(future.getNow());
        stampConnected(connection);
        Channel channel = connection.channel();
        flush |= body.sendWith(request, channel, attempts.upstream().rewriteModel());
        if (flush) {
            channel.flush();
        }
        if (body.complete()) {
            onRequestSent();
        }
        // Read at once: an endpoint may answer (413, 401) before the body is through.
        channel.read();
        owner.readIfWanted();
    }

    /** The attempt's connect time: a new connection's goes to the meter, a pooled one took none. */
    private void stampConnected(UpstreamConnection connection) {
        boolean opened = connection.reuses() == 0;
        record.connected(opened ? connection.connectNanos() : 0);
        if (opened) {
            context.metrics().upstreamConnected(attempts.upstream().name(), record.endpoint(), connection.connectNanos());
        }
    }

    /** A piece of the client's request body; the exchange owns it from here. */
    void onRequestContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A broken chunk: the upstream connection closes before the request is complete,
            // so the endpoint never acts on it.
            content.release();
            fail(GatewayError.BAD_REQUEST, "malformed request body: " + content.decoderResult().cause().getMessage());
            return;
        }
        if (!body.accept(content)) {
            content.release();
            fail(GatewayError.PAYLOAD_TOO_LARGE);
            return;
        }
        if (body.complete()) {
            timeouts.bodyReceived();
        }
        if (body.askedForStream()) {
            streamAsked = true;
            commitStreamEarlyIfAsked();
        }
        // The gate opens only once the whole body is in (GatePassage), so all of it waits here.
        body.hold(content);
        passage.bodyArrived();
    }

    /** The client's read batch ended: push what it brought on to the upstream. */
    void onClientReadComplete() {
        if (!done) {
            upstreamLink.flush();
        }
    }

    /** More request body is welcome until the whole of it is in; {@code maxBodyBytes} bounds it. */
    boolean wantsRequestBody() {
        return !done && !body.complete();
    }

    boolean requestComplete() {
        return body.complete();
    }

    private void onRequestSent() {
        upstreamLink.requestSent();
        long now = context.ticker().nanoTime();
        timeouts.requestSent(now);
        record.requestSent(now);
    }

    /** With early headers, a client that asked for a stream gets its head and heartbeats now. */
    private void commitStreamEarlyIfAsked() {
        if (streamAsked && !done && !asyncSubmit) {
            responder.streamEarly();
        }
    }

    @Override
    public void onUpstreamWritabilityChanged(boolean writable) {
        if (writable) {
            owner.readIfWanted();
        }
    }

    // ---- the way down: relay the response as it arrives ------------------------------------

    @Override
    public void onUpstreamMessage(Object message) {
        if (done) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof HttpResponse head) {
            onResponseHead(head);
        }
        if (message instanceof HttpContent content) {
            onResponseContent(content);
        }
    }

    private void onResponseHead(HttpResponse head) {
        if (head.decoderResult().isFailure()) {
            // Not released here: a head is not counted, and the full response the decoder makes of
            // a status line it cannot read is released as content, next.
            Throwable cause = head.decoderResult().cause();
            log.debug("upstream {} sent a malformed head for request {}", attempts.endpoint(), requestId, cause);
            if (cause instanceof PrematureChannelClosureException) {
                fail(GatewayError.UPSTREAM_RESET, "the upstream closed the connection within the response head");
            } else {
                fail(GatewayError.UPSTREAM_PROTOCOL, "the upstream's response head was malformed");
            }
            return;
        }
        int code = head.status().code();
        if (code >= 100 && code < 200) {
            // An interim response (100 Continue, 103 Early Hints): the gateway answered the
            // client's Expect itself, so it is dropped with the empty content that follows it.
            skippingInterimResponse = true;
            ReferenceCountUtil.release(head);
            return;
        }
        upstreamHeadReceived = true;
        long now = context.ticker().nanoTime();
        timeouts.responseActivity(now);
        LoadSignals.record(head.headers(), attempts.endpoint().load(), route.loadHeaders(), now);
        record.headReceived(now);
        HeldResponse.Until until = next.possible() ? HeldResponse.until(head, route.fallbackOn()) : null;
        if (until != null) {
            held = new HeldResponse(head, until);
            if (until == HeldResponse.Until.FIRST_EVENT) {
                timeouts.firstEventAwaited(now);
            }
            return;
        }
        if (next.possible() && (route.retry().on().contains(code) || code == 429)
                && next.tryAgainAfter(new AttemptOutcome.Answered(code, Attempts.retryAfter(head), null))) {
            ReferenceCountUtil.release(head);
            return;
        }
        next.answered();
        deliverHead(head);
    }

    /**
     * Enough of a held response is in, or a held stream's first event is {@code late}: it is
     * delivered, unless the request waits for the endpoint to warm or goes elsewhere instead.
     */
    private void judgeHeld(boolean late) {
        HeldResponse response = held;
        held = null;
        timeouts.firstEventSettled();
        if (!(late ? next.dropsLate(response) : next.drops(response))) {
            response.deliver(this::deliverHead, this::deliverContent);
        }
    }

    /** The response goes to the client: its head now, its body as it comes. */
    private void deliverHead(HttpResponse head) {
        int code = head.status().code();
        attempts.recordBreaker(code == 429 ? BreakerVerdict.NONE
                : BreakerVerdict.failureIf(route.retry().on().contains(code) && code >= 500));
        body.dropCopy();
        upstreamLink.keepAlive(HttpUtil.isKeepAlive(head));
        // A stream that began early takes from the upstream's head only an error, to retell as an event.
        if (responder.relayHead(head, attempts)) {
            next.bytesRelayed();
            // TGI says how many tokens it generated: the tenant's token reservation is settled to it.
            if (record.generatedTokens() >= 0) {
                gate.tokensUsed(record.generatedTokens());
            }
        }
    }

    private void onResponseContent(HttpContent content) {
        if (skippingInterimResponse) {
            skippingInterimResponse = !(content instanceof LastHttpContent);
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A bad chunk size, chunk data longer than its size: the upstream's framing is broken.
            log.debug("upstream {} sent a malformed body for request {}", attempts.endpoint(), requestId,
                    content.decoderResult().cause());
            content.release();
            fail(GatewayError.UPSTREAM_PROTOCOL);
            return;
        }
        timeouts.responseActivity(context.ticker().nanoTime());
        if (held != null) {
            if (held.add(content)) {
                judgeHeld(false);
            }
            return;
        }
        deliverContent(content);
    }

    private void deliverContent(HttpContent content) {
        if (done) {
            content.release();
            return;
        }
        SseRelay sse = responder.stream();
        if (sse != null && sse.retellingUpstreamError()) {
            byte[] event = sse.collectUpstreamError(content);
            if (event != null) {
                finish(Ending.Normal.UPSTREAM_ERROR, responder.endStream(event, body.complete()), true);
            }
        } else if (sse != null) {
            if (content.content().isReadable()) {
                next.bytesRelayed();
            }
            sse.track(content);
            if (content instanceof LastHttpContent) {
                long generated = sse.generatedTokens();
                if (generated >= 0) {
                    gate.tokensUsed(generated);
                }
                if (!sse.endedWithFinalEvent()) {
                    context.metrics().streamTruncated(route.name());
                }
                complete(content);
            } else {
                client.write(content, client.voidPromise());
            }
        } else if (content instanceof LastHttpContent) {
            complete(content);
        } else {
            responder.relay(content);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        if (done) {
            return;
        }
        responder.flush();
        boolean writable = client.channel().isWritable();
        if (!writable) {
            timeouts.clientStalled(context.ticker().nanoTime());
        }
        upstreamLink.readOn(writable);
    }

    /** The client drained its buffer: resume reading the upstream if the relay was paused for it. */
    void onClientWritabilityChanged(boolean writable) {
        if (writable && !done) {
            timeouts.clientDrained(context.ticker().nanoTime());
            upstreamLink.clientDrained();
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (done) {
            return;
        }
        if (cause != null) {
            log.debug("upstream {} failed for request {}", attempts.endpoint(), requestId, cause);
        }
        if (!upstreamHeadReceived || held != null) {
            // Nothing of this response reached the client: the attempt can be made again.
            releaseHeld();
            next.attemptFailed(new AttemptOutcome.ResetBeforeHead(), GatewayError.UPSTREAM_RESET);
        } else {
            fail(GatewayError.UPSTREAM_RESET);
        }
    }

    /** The client went away: the upstream connection goes too, so the model stops working for nobody. */
    void onClientClosed() {
        if (done) {
            return;
        }
        responder.clientClosed();
        finish(Ending.Normal.CANCELLED, false);
    }

    /** The drain timeout passed: a stream ends with its error event; anything else closes with the connection. */
    void onShutdownCut() {
        if (!done && responder.stream() != null) {
            fail(GatewayError.SHUTDOWN);
        }
    }

    // ---- what NextAttempt asks of the exchange --------------------------------------------------

    @Override
    public boolean isDone() {
        return done;
    }

    @Override
    public void endAttempt() {
        upstreamLink.discard();
        attempts.end();
        upstreamHeadReceived = false;
        timeouts.attemptEnded();
        body.releaseHeld();
    }

    // ---- the end, exactly once -------------------------------------------------------------

    private void complete(HttpContent last) {
        finish(Ending.Normal.SUCCESS, responder.complete(last, body.complete()));
    }

    @Override
    public void fail(GatewayError error) {
        fail(error, error.defaultMessage());
    }

    @Override
    public void fail(GatewayError error, String message) {
        if (done) {
            return;
        }
        log.debug("request {} on route {} failed: {}", requestId, route, error.cause());
        finish(error, responder.fail(error, message, body.complete()));
    }

    /**
     * Releases everything the exchange holds. The upstream connection goes back to the pool only
     * after a clean, complete exchange; anything else leaves it in an unknown state, so it closes.
     * Whoever wrote the client's last bytes has already arranged its close when it is not kept.
     */
    private void finish(Ending ending, boolean keepClient) {
        finish(ending, keepClient, ending == Ending.Normal.SUCCESS);
    }

    private void finish(Ending ending, boolean keepClient, boolean upstreamComplete) {
        done = true;
        timer.cancel();
        next.cancel();
        responder.stop();
        body.release();
        releaseHeld();
        coldStart.end(attempts.endpoint());
        gate.close(ending.byClient());
        // A request that ran out of time while waiting on the endpoint counts against it; anything
        // else that ends an attempt early (the client leaving, a bad body) says nothing about it.
        attempts.recordBreaker(ending == GatewayError.DEADLINE_EXCEEDED && attempts.active() && !upstreamHeadReceived
                ? BreakerVerdict.FAILURE : BreakerVerdict.NONE);
        upstreamLink.end(upstreamComplete);
        attempts.end();
        context.exchangeEnded();
        long now = context.ticker().nanoTime();
        record.finished(now, responder.status(), ending.tag(), responder.stream() != null, attempts.onFallback());
        record.bytes(body.bytes(), owner.bodyBytesSent());
        context.accessLog().write(record);
        String upstreamName = attempts.upstream() == null ? "none" : attempts.upstream().name();
        context.metrics().exchangeCompleted(route.name(), upstreamName, responder.status(), ending.tag(), now - startNanos);
        owner.exchangeFinished(keepClient);
    }

    private void releaseHeld() {
        if (held != null) {
            held.release();
            held = null;
        }
    }

    // ---- the clocks: ExchangeTimer says which ran out ---------------------------------------------

    /** A clock of the exchange ran out: the attempt, the late stream, or the exchange gives up. */
    @Override
    public void expired(GatewayError timeout) {
        if (timeout == GatewayError.FIRST_BYTE_TIMEOUT && attempts.active() && !upstreamHeadReceived) {
            next.attemptFailed(new AttemptOutcome.FirstByteTimeout(), timeout);
        } else if (timeout == GatewayError.FIRST_TOKEN_TIMEOUT && held != null) {
            // A stream sent its head but no event in time: the plan moves on as from a silent
            // endpoint. With nowhere to go, the stream is relayed and may still start.
            judgeHeld(true);
        } else if (timeout == GatewayError.CLIENT_WRITE_TIMEOUT) {
            // A client that reads nothing would not read an error either: its connection goes now.
            log.debug("request {} on route {}: the client read nothing for {}", requestId, route,
                    context.server().writeTimeout());
            finish(timeout, responder.abandon());
        } else {
            fail(timeout);
        }
    }
}
