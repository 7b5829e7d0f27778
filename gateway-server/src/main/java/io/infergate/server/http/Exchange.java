package io.infergate.server.http;

import io.infergate.core.error.GatewayError;
import io.infergate.core.route.Route;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.sse.StreamRequests;
import io.infergate.core.sse.UpstreamError;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.server.upstream.ConnectionPool;
import io.infergate.server.upstream.UpstreamConnection;
import io.infergate.server.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;
import java.util.concurrent.TimeUnit;

/**
 * One request's way through the gateway, on the client's event loop: connect, send the head and
 * stream the body up, then relay the response head and body down as they arrive, reading from
 * the upstream only while the client keeps up. {@link #finish} runs exactly once on every path.
 */
final class Exchange implements UpstreamListener {

    private static final Logger log = LoggerFactory.getLogger(Exchange.class);
    private static final int MAX_ERROR_BODY_BYTES = 16 * 1024;

    private final ProxyHandler owner;
    private final ChannelHandlerContext client;
    private final ProxyContext context;
    private final Route route;
    private final Upstream upstream;
    private final Endpoint endpoint;
    private final HttpRequest request;
    private final String requestId;
    private final boolean clientKeepAlive;
    private final ForwardingHeaders.ClientFraming clientFraming;
    private final long startNanos;
    private final ArrayDeque<HttpContent> pendingBody = new ArrayDeque<>(2);
    private final ExchangeTimeouts timeouts;
    private final StreamProtocol protocol;

    /** Whether the client asked for an event stream; with early headers, the body may still say so. */
    private boolean streamAsked;
    /** The request body, kept while it may still say {@code "stream": true} for early headers. */
    private BodyCopy sniffedBody;
    /** The client's event stream, once its head is out (early, or relaying an upstream stream). */
    private SseRelay sse;
    /** An upstream's error answer to a request whose stream was committed early: retold as an event. */
    private BodyCopy upstreamErrorBody;

    private UpstreamConnection connection;
    private ScheduledFuture<?> timer;
    private long requestBodyBytes;
    private boolean requestComplete;
    private boolean requestSent;
    private boolean responseStarted;
    private boolean skippingInterimResponse;
    private boolean upstreamKeepAlive;
    private boolean upstreamReadPending;
    private boolean closeAfterResponse;
    private boolean done;
    private int status;

    Exchange(ProxyHandler owner, ChannelHandlerContext client, ProxyContext context, Route route,
             HttpRequest request, String requestId, String clientAddress) {
        this.owner = owner;
        this.client = client;
        this.context = context;
        this.route = route;
        this.upstream = route.primary();
        this.endpoint = upstream.leastLoaded();
        this.request = request;
        this.requestId = requestId;
        this.clientKeepAlive = HttpUtil.isKeepAlive(request);
        this.clientFraming = new ForwardingHeaders.ClientFraming(
                request.protocolVersion(), clientKeepAlive, HttpMethod.HEAD.equals(request.method()));
        this.startNanos = context.ticker().nanoTime();
        this.timeouts = new ExchangeTimeouts(route.timeouts(), startNanos);
        String routeTarget = route.upstreamTarget(request.uri(), "");
        int query = routeTarget.indexOf('?');
        String routePath = query < 0 ? routeTarget : routeTarget.substring(0, query);
        this.protocol = StreamProtocol.forPath(routePath);
        this.streamAsked = StreamRequests.asksForStream(routePath, request.headers().get(HttpHeaderNames.ACCEPT));
        boolean hasBody = HttpUtil.isContentLengthSet(request) || HttpUtil.isTransferEncodingChunked(request);
        if (route.heartbeat().earlyHeaders() && !streamAsked && hasBody) {
            sniffedBody = new BodyCopy(client.alloc(), (int) Math.min(Integer.MAX_VALUE, context.server().maxBodyBytes()));
        }
        ForwardingHeaders.toUpstream(request, endpoint.url().basePath() + routeTarget,
                endpoint.url(), upstream.auth(), requestId, clientAddress);
    }

    // ---- the way up: connect, then send the head and the body -------------------------------

    void start() {
        context.exchangeStarted();
        endpoint.requestStarted();
        timer = client.executor().schedule(this::checkTimeouts, timeouts.nextCheckIn(startNanos), TimeUnit.NANOSECONDS);
        commitStreamEarlyIfAsked();
        ConnectionPool pool = context.pools().forLoop(client.channel().eventLoop());
        Future<UpstreamConnection> acquired = pool.acquire(endpoint, this, route.timeouts().connect().toMillis());
        if (acquired.isDone()) {
            // A pooled connection, inside the client's read: the body that came with the head
            // follows, and the read's end flushes head and body in one write.
            onConnected(acquired, false);
        } else {
            acquired.addListener(f -> onConnected(acquired, true));
        }
    }

    private void onConnected(Future<UpstreamConnection> future, boolean flush) {
        if (!future.isSuccess()) {
            fail(ConnectionPool.failureCause(future.cause()));
            return;
        }
        UpstreamConnection acquired = future.getNow();
        if (done) {
            context.pools().forLoop(client.channel().eventLoop()).release(acquired);
            return;
        }
        connection = acquired;
        Channel channel = acquired.channel();
        channel.write(request, channel.voidPromise());
        HttpContent content;
        while ((content = pendingBody.poll()) != null) {
            channel.write(content, channel.voidPromise());
        }
        if (flush) {
            channel.flush();
        }
        if (requestComplete) {
            onRequestSent();
        }
        // Read at once: an endpoint may answer (413, 401) before the body is through.
        channel.read();
        owner.readIfWanted();
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
        requestBodyBytes += content.content().readableBytes();
        if (sniffedBody != null) {
            sniffedBody.add(content.content());
        }
        if (requestBodyBytes > context.server().maxBodyBytes()) {
            content.release();
            fail(GatewayError.PAYLOAD_TOO_LARGE);
            return;
        }
        requestComplete = content instanceof LastHttpContent;
        if (requestComplete) {
            onRequestBodyComplete();
        }
        if (connection == null) {
            pendingBody.add(content);
            return;
        }
        // Every request content comes inside a client read, whose end flushes (onClientReadComplete).
        connection.channel().write(content, connection.channel().voidPromise());
        if (requestComplete) {
            onRequestSent();
        }
    }

    /** The client's read batch ended: push what it brought on to the upstream. */
    void onClientReadComplete() {
        if (connection != null && !done) {
            connection.channel().flush();
        }
    }

    /** More request body is welcome only when it can go straight on to a writable upstream. */
    boolean wantsRequestBody() {
        return !done && !requestComplete && connection != null && connection.channel().isWritable();
    }

    boolean requestComplete() {
        return requestComplete;
    }

    private void onRequestSent() {
        requestSent = true;
        timeouts.requestSent(context.ticker().nanoTime());
    }

    /** The whole body is in: whether it asks for a stream is known now, connected or not. */
    private void onRequestBodyComplete() {
        if (sniffedBody != null) {
            streamAsked = StreamRequests.bodyAsksForStream(sniffedBody.stream());
            sniffedBody.release();
            sniffedBody = null;
            commitStreamEarlyIfAsked();
        }
    }

    /**
     * With early headers, a client that asked for a stream gets {@code 200} and the event-stream
     * head now, and heartbeats while the gateway connects and waits for the upstream.
     */
    private void commitStreamEarlyIfAsked() {
        if (!streamAsked || !route.heartbeat().earlyHeaders() || responseStarted || done) {
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, SseRelay.EVENT_STREAM);
        closeAfterResponse = ForwardingHeaders.toClient(head, requestId, true, clientFraming, context.draining());
        status = 200;
        responseStarted = true;
        startStream();
        client.writeAndFlush(head, client.voidPromise());
    }

    private void startStream() {
        sse = new SseRelay(client, protocol, route.heartbeat().interval().toNanos(), context.ticker(),
                () -> context.metrics().heartbeatSent(route.name()));
        sse.start();
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
            ReferenceCountUtil.release(head);
            fail(GatewayError.UPSTREAM_RESET, "the upstream sent a malformed response head");
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
        timeouts.responseActivity(context.ticker().nanoTime());
        upstreamKeepAlive = HttpUtil.isKeepAlive(head);
        boolean eventStream = SseRelay.isEventStream(head);
        if (sse != null) {
            // The client's stream began early: the upstream's head has nothing left to say,
            // unless it is an error, which the client will get as an event.
            if (code >= 300 || !eventStream) {
                status = code;
                upstreamErrorBody = new BodyCopy(client.alloc(), MAX_ERROR_BODY_BYTES);
            }
            ReferenceCountUtil.release(head);
            return;
        }
        status = code;
        closeAfterResponse = ForwardingHeaders.toClient(head, requestId, eventStream, clientFraming, context.draining());
        responseStarted = true;
        client.write(head, client.voidPromise());
        if (eventStream) {
            startStream();
        }
    }

    private void onResponseContent(HttpContent content) {
        if (skippingInterimResponse) {
            skippingInterimResponse = !(content instanceof LastHttpContent);
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            content.release();
            fail(GatewayError.UPSTREAM_RESET, "the upstream closed the connection mid-response");
            return;
        }
        timeouts.responseActivity(context.ticker().nanoTime());
        if (upstreamErrorBody != null) {
            collectErrorBody(content);
        } else if (sse != null) {
            sse.track(content);
            if (content instanceof LastHttpContent) {
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
            client.write(content, client.voidPromise());
        }
    }

    /** Keeps up to 16 KiB of an upstream error body; at its end, the client's stream ends with it as an event. */
    private void collectErrorBody(HttpContent content) {
        upstreamErrorBody.add(content.content());
        boolean last = content instanceof LastHttpContent;
        content.release();
        if (last) {
            UpstreamError error = UpstreamError.from(status, upstreamErrorBody.toArray());
            endStream(sse.protocol().errorEvent(error.type(), error.message(), error.status()), "upstream_error", true);
        }
    }

    @Override
    public void onUpstreamReadComplete() {
        if (done) {
            return;
        }
        client.flush();
        if (client.channel().isWritable()) {
            connection.channel().read();
        } else {
            upstreamReadPending = true;
        }
    }

    /** The client drained its buffer: resume reading the upstream if the relay was paused for it. */
    void onClientWritabilityChanged(boolean writable) {
        if (writable && upstreamReadPending && !done) {
            upstreamReadPending = false;
            connection.channel().read();
        }
    }

    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (done) {
            return;
        }
        if (cause != null) {
            log.debug("upstream {} failed for request {}", endpoint, requestId, cause);
        }
        fail(GatewayError.UPSTREAM_RESET);
    }

    /** The client went away: the upstream connection goes too, so the model stops working for nobody. */
    void onClientClosed() {
        if (done) {
            return;
        }
        if (!responseStarted) {
            status = 499; // client closed request, as nginx counts it
        }
        if (sse != null) {
            context.metrics().streamCancelled(route.name());
        }
        finish("cancelled", false);
    }

    // ---- the end, exactly once -------------------------------------------------------------

    private void complete(HttpContent last) {
        boolean keepClient = requestComplete && !closeAfterResponse;
        client.writeAndFlush(last).addListener(keepClient ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        finish("success", keepClient);
    }

    private void fail(GatewayError error) {
        fail(error, error.defaultMessage());
    }

    private void fail(GatewayError error, String message) {
        if (done) {
            return;
        }
        log.debug("request {} on route {} failed: {}", requestId, route, error.cause());
        if (sse != null) {
            // The client is reading a stream: it ends with an error event in its own dialect.
            endStream(protocol.errorEvent(error, message), error.cause(), false);
            return;
        }
        if (responseStarted) {
            // Too late for a status: cut the response short so the client cannot take it for whole.
            client.close();
            finish(error.cause(), false);
            return;
        }
        status = error.status();
        boolean keepClient = clientKeepAlive && requestComplete && !context.draining();
        FullHttpResponse response = LocalResponses.error(client.alloc(), error, message, requestId);
        if (!keepClient) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        client.writeAndFlush(response).addListener(keepClient ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        finish(error.cause(), keepClient);
    }

    /** Ends the client's stream with {@code event}; the connection stays when the exchange ended cleanly. */
    private void endStream(byte[] event, String outcome, boolean upstreamComplete) {
        boolean keepClient = requestComplete && !closeAfterResponse;
        sse.endWith(event).addListener(keepClient ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        finish(outcome, keepClient, upstreamComplete);
    }

    /**
     * Releases everything the exchange holds. The upstream connection goes back to the pool only
     * after a clean, complete exchange; anything else leaves it in an unknown state, so it closes.
     * Whoever wrote the client's last bytes has already arranged its close when it is not kept.
     */
    private void finish(String outcome, boolean keepClient) {
        finish(outcome, keepClient, "success".equals(outcome));
    }

    private void finish(String outcome, boolean keepClient, boolean upstreamComplete) {
        done = true;
        timer.cancel(false);
        if (sse != null) {
            sse.stop();
        }
        if (sniffedBody != null) {
            sniffedBody.release();
        }
        if (upstreamErrorBody != null) {
            upstreamErrorBody.release();
        }
        HttpContent pending;
        while ((pending = pendingBody.poll()) != null) {
            pending.release();
        }
        if (connection != null) {
            ConnectionPool pool = context.pools().forLoop(client.channel().eventLoop());
            if (upstreamComplete && requestSent && upstreamKeepAlive) {
                pool.release(connection);
            } else {
                pool.discard(connection);
            }
        }
        endpoint.requestEnded();
        context.exchangeEnded();
        long elapsed = context.ticker().nanoTime() - startNanos;
        context.metrics().exchangeCompleted(route.name(), upstream.name(), status, outcome, elapsed);
        owner.exchangeFinished(keepClient);
    }

    // ---- timers --------------------------------------------------------------------------------

    /** One timer for all of the exchange's clocks: phases only stamp times, the timer re-arms for what is left. */
    private void checkTimeouts() {
        if (done) {
            return;
        }
        long now = context.ticker().nanoTime();
        GatewayError expired = timeouts.expired(now);
        if (expired != null) {
            fail(expired);
        } else {
            timer = client.executor().schedule(this::checkTimeouts, timeouts.nextCheckIn(now), TimeUnit.NANOSECONDS);
        }
    }
}
