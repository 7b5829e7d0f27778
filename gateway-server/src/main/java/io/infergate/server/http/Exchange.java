package io.infergate.server.http;

import io.infergate.core.error.GatewayError;
import io.infergate.core.route.Route;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.server.upstream.ConnectionPool;
import io.infergate.server.upstream.UpstreamConnection;
import io.infergate.server.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ConnectTimeoutException;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
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

    private final ProxyHandler owner;
    private final ChannelHandlerContext client;
    private final ProxyContext context;
    private final Route route;
    private final Upstream upstream;
    private final Endpoint endpoint;
    private final HttpRequest request;
    private final String requestId;
    private final boolean clientKeepAlive;
    private final boolean headRequest;
    private final HttpVersion clientVersion;
    private final long startNanos;
    private final ArrayDeque<HttpContent> pendingBody = new ArrayDeque<>(2);

    private final ExchangeTimeouts timeouts;

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
        this.headRequest = HttpMethod.HEAD.equals(request.method());
        this.clientVersion = request.protocolVersion();
        this.startNanos = context.ticker().nanoTime();
        this.timeouts = new ExchangeTimeouts(route.timeouts(), startNanos);
        prepareUpstreamHead(clientAddress);
    }

    // ---- the way up: connect, then send the head and the body -------------------------------

    void start() {
        context.exchangeStarted();
        endpoint.requestStarted();
        timer = client.executor().schedule(this::checkTimeouts, timeouts.nextCheckIn(startNanos), TimeUnit.NANOSECONDS);
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
            fail(connectError(future.cause()));
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
        if (requestBodyBytes > context.server().maxBodyBytes()) {
            content.release();
            fail(GatewayError.PAYLOAD_TOO_LARGE);
            return;
        }
        requestComplete = content instanceof LastHttpContent;
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
        status = code;
        upstreamKeepAlive = HttpUtil.isKeepAlive(head);
        prepareClientHead(head);
        responseStarted = true;
        client.write(head, client.voidPromise());
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
        if (content instanceof LastHttpContent) {
            complete(content);
        } else {
            client.write(content, client.voidPromise());
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

    /**
     * Releases everything the exchange holds. The upstream connection goes back to the pool only
     * after a clean, complete exchange; anything else leaves it in an unknown state, so it closes.
     * Whoever wrote the client's last bytes has already arranged its close when it is not kept.
     */
    private void finish(String outcome, boolean keepClient) {
        done = true;
        timer.cancel(false);
        HttpContent pending;
        while ((pending = pendingBody.poll()) != null) {
            pending.release();
        }
        if (connection != null) {
            ConnectionPool pool = context.pools().forLoop(client.channel().eventLoop());
            if ("success".equals(outcome) && requestSent && upstreamKeepAlive) {
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

    // ---- headers -----------------------------------------------------------------------------

    /** Turns the client's request head into the upstream's, in place. */
    private void prepareUpstreamHead(String clientAddress) {
        HttpHeaders headers = request.headers();
        boolean chunked = HttpUtil.isTransferEncodingChunked(request);
        String originalHost = headers.get(HttpHeaderNames.HOST);
        HopByHopHeaders.strip(headers);
        if (chunked) {
            headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
        }
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        request.setUri(route.upstreamTarget(request.uri(), endpoint.url().basePath()));
        headers.set(HttpHeaderNames.HOST, endpoint.url().hostHeader());
        String forwardedFor = headers.get(GatewayHeaders.X_FORWARDED_FOR);
        headers.set(GatewayHeaders.X_FORWARDED_FOR,
                forwardedFor == null ? clientAddress : forwardedFor + ", " + clientAddress);
        headers.set(GatewayHeaders.X_FORWARDED_PROTO, "http");
        if (originalHost != null) {
            headers.set(GatewayHeaders.X_FORWARDED_HOST, originalHost);
        }
        headers.set(GatewayHeaders.X_REQUEST_ID, requestId);
        if (upstream.auth().present()) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + upstream.auth().bearerToken());
        }
    }

    /** Turns the upstream's response head into the client's, in place. */
    private void prepareClientHead(HttpResponse head) {
        HttpHeaders headers = head.headers();
        HopByHopHeaders.strip(headers);
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        headers.set(GatewayHeaders.X_REQUEST_ID, requestId);
        closeAfterResponse = !clientKeepAlive || context.draining();
        boolean bodyless = headRequest || status == 204 || status == 304;
        if (!bodyless && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
                // HTTP/1.0 knows no chunks: the end of the connection ends the body.
                closeAfterResponse = true;
            } else {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        if (closeAfterResponse) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (clientVersion.equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
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

    private static GatewayError connectError(Throwable cause) {
        return cause instanceof ConnectTimeoutException || cause instanceof SslHandshakeTimeoutException
                ? GatewayError.CONNECT_TIMEOUT
                : GatewayError.CONNECT_FAILED;
    }
}
