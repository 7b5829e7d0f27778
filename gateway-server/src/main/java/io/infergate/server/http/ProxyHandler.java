package io.infergate.server.http;

import io.infergate.server.exchange.ClientRequest;
import io.infergate.server.exchange.ClientRequests;
import io.infergate.server.exchange.LocalReply;
import io.infergate.server.exchange.ProxyContext;
import io.infergate.server.exchange.ClientConnection;
import io.infergate.server.exchange.ConnectionClock;
import io.infergate.server.relay.LocalAnswer;
import io.infergate.server.relay.LocalResponses;
import io.infergate.server.wire.ClientOrigin;
import io.infergate.server.wire.RequestGuard;
import io.infergate.server.wire.RequestIds;
import io.infergate.server.wire.GatewayHeaders;
import io.infergate.server.jobs.JobsEndpoint;
import io.infergate.core.error.Ending;
import io.infergate.core.error.GatewayError;
import io.infergate.core.route.RouteChoice;
import io.infergate.server.models.ModelsEndpoint;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.server.metrics.ExchangeRecord;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.ReferenceCountUtil;

import java.util.ArrayDeque;

/**
 * One client connection, or one HTTP/2 stream (a channel of its own, see {@link Http2Streams}):
 * takes requests one at a time, refuses what the guard refuses, matches a route and runs its
 * {@link ClientRequest}. The channel does not auto-read: this handler asks for bytes
 * only when it can use them, which is what bounds memory in both directions.
 */
final class ProxyHandler extends ChannelInboundHandlerAdapter implements ClientConnection {

    private final ProxyContext context;
    private final RequestClock timeouts;
    private final ResponseBodyBytes bodyBytes;
    private final JobsEndpoint jobsEndpoint;
    /** Requests pipelined behind the current one wait here; reading stops while any do. */
    private final ArrayDeque<Object> pipelined = new ArrayDeque<>(2);

    private ChannelHandlerContext ctx;
    private ConnectionClock clock;
    private ClientOrigin origin;
    private ClientRequest exchange;
    private boolean discardingBody;
    /** A jobs API answer is on its way (a long poll): requests behind it wait. */
    private boolean localAnswerPending;
    private boolean closing;

    ProxyHandler(ProxyContext context, RequestClock timeouts, ResponseBodyBytes bodyBytes) {
        this.context = context;
        this.jobsEndpoint = new JobsEndpoint(context.jobs(), context::tenants);
        this.timeouts = timeouts;
        this.bodyBytes = bodyBytes;
    }

    @Override
    public void channelActive(ChannelHandlerContext ctx) {
        this.ctx = ctx;
        this.clock = new ConnectionClock(ctx.executor(), context.ticker());
        this.origin = ClientOrigin.of(ctx.channel());
        ctx.read();
        ctx.fireChannelActive();
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (closing) {
            ReferenceCountUtil.release(msg);
        } else if (waits(msg)) {
            pipelined.add(msg);
        } else if (exchange != null && msg instanceof HttpContent content) {
            exchange.onRequestContent(content);
        } else if (discardingBody && msg instanceof HttpContent content) {
            discardingBody = !(content instanceof LastHttpContent);
            content.release();
        } else if (msg instanceof HttpRequest request) {
            onRequest(request);
        } else {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelReadComplete(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onClientReadComplete();
        }
        readIfWanted();
    }

    /** Asks the client for more bytes when the current state can take them. */
    @Override
    public void readIfWanted() {
        if (closing || !pipelined.isEmpty()) {
            return;
        }
        // With the request complete, one read stays pending anyway: it notices a client that
        // hangs up mid-response, and it takes at most one batch of pipelined requests.
        if (exchange == null || exchange.wantsRequestBody() || exchange.requestComplete() || discardingBody) {
            ctx.read();
        }
    }

    private void onRequest(HttpRequest request) {
        timeouts.requestStarted();
        bodyBytes.reset();
        String requestId = RequestIds.acceptOrGenerate(request.headers().get(GatewayHeaders.X_REQUEST_ID));
        RequestGuard.Refusal refusal = RequestGuard.check(request, context.server().maxBodyBytes());
        if (refusal != null) {
            // The framing of a refused request cannot be trusted, so the connection ends with it.
            ExchangeRecord record = localRecord(request, requestId);
            ReferenceCountUtil.release(request);
            reply(refusal.error(), refusal.message(), requestId, record, false);
            return;
        }
        if (context.jobs() != null && JobsEndpoint.handles(new QueryStringDecoder(request.uri()).path())) {
            answerJobs(request, requestId);
            return;
        }
        FullHttpResponse models = ModelsEndpoint.answer(request, context.routing(), ctx.alloc(), requestId);
        if (models != null) {
            discardingBody = true;
            boolean keepAlive = HttpUtil.isKeepAlive(request) && !context.draining();
            answer(models, localRecord(request, requestId), keepAlive ? LocalAnswer.After.KEEP : LocalAnswer.After.CLOSE,
                    models.headers().get(GatewayHeaders.X_GATEWAY_ERROR, Ending.Normal.SUCCESS.tag()));
            exchangeFinished(keepAlive);
            ReferenceCountUtil.release(request);
            return;
        }
        RouteChoice route = context.routes().choose(request.uri());
        if (route == null) {
            discardingBody = true;
            reply(GatewayError.NO_ROUTE, "no route matches " + request.uri(), requestId, localRecord(request, requestId),
                    HttpUtil.isKeepAlive(request) && !context.draining());
            ReferenceCountUtil.release(request);
            return;
        }
        if (HttpUtil.is100ContinueExpected(request)) {
            // Answered here: the body must come through the gateway's own limits first.
            request.headers().remove(HttpHeaderNames.EXPECT);
            ctx.writeAndFlush(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
        }
        exchange = ClientRequests.start(this, ctx, context, route, request, requestId, origin);
    }

    /** The jobs API, answered here (a long poll answers later): the request's body, if any, is dropped. */
    private void answerJobs(HttpRequest request, String requestId) {
        discardingBody = true;
        localAnswerPending = true;
        ExchangeRecord record = localRecord(request, requestId);
        boolean keepAlive = HttpUtil.isKeepAlive(request) && !context.draining();
        jobsEndpoint.handle(request, requestId, ctx.alloc(), ctx.executor(), response -> {
            localAnswerPending = false;
            response.headers().set(GatewayHeaders.X_REQUEST_ID, requestId);
            String cause = response.headers().get(GatewayHeaders.X_GATEWAY_ERROR);
            answer(response, record, keepAlive ? LocalAnswer.After.KEEP : LocalAnswer.After.CLOSE,
                    cause == null ? Ending.Normal.SUCCESS.tag() : cause);
            exchangeFinished(keepAlive);
        });
        ReferenceCountUtil.release(request);
    }

    @Override
    public ConnectionClock clock() {
        return clock;
    }

    /** Called once by the exchange when it is over; the connection is either kept for the next request or already closing. */
    @Override
    public void exchangeFinished(boolean keepAlive) {
        exchange = null;
        if (!keepAlive) {
            stopReading();
            return;
        }
        timeouts.requestFinished();
        if (pipelined.isEmpty()) {
            readIfWanted();
        } else {
            ctx.executor().execute(this::drainPipelined);
        }
    }

    /**
     * Hands on the requests that came pipelined behind the last, in order: a head, then its body up
     * to its end, then the next head waits for this exchange to finish.
     */
    private void drainPipelined() {
        while (!pipelined.isEmpty() && (closing || !waits(pipelined.peek()))) {
            channelRead(ctx, pipelined.poll());
        }
        channelReadComplete(ctx); // as if the queued messages had just been read
    }

    /**
     * Whether {@code msg} belongs to a request pipelined behind the one in progress, and waits for
     * it: anything but the body of the current request (or of a request being discarded).
     */
    private boolean waits(Object msg) {
        boolean busy = exchange != null || discardingBody || localAnswerPending;
        boolean currentBody = msg instanceof HttpContent
                && (discardingBody || exchange != null && !exchange.requestComplete());
        return busy && !currentBody;
    }

    /** Refuses a request before it has an exchange; a refusal not kept lingers, its request not read whole. */
    private void reply(GatewayError error, String message, String requestId, ExchangeRecord record, boolean keepAlive) {
        StreamProtocol dialect = StreamProtocol.forPath(record.path() == null ? "" : record.path());
        answer(LocalResponses.error(ctx.alloc(), dialect, error, message, requestId), record,
                keepAlive ? LocalAnswer.After.KEEP : LocalAnswer.After.LINGER, error.tag());
        if (keepAlive) {
            timeouts.requestFinished();
        } else {
            stopReading();
        }
    }

    /** An answer made here, written, logged and metered as every response is. */
    private void answer(FullHttpResponse response, ExchangeRecord record, LocalAnswer.After after, String outcome) {
        LocalReply.send(context, this, ctx, response, record, after, outcome, 0);
    }

    /** The record of a request the gateway answers itself, before it has a route; {@code request} null when no head came. */
    private ExchangeRecord localRecord(HttpRequest request, String requestId) {
        return new ExchangeRecord(System.currentTimeMillis(), context.ticker().nanoTime(), requestId,
                request == null ? null : request.method().name(), request == null ? null : request.uri(), null);
    }

    /** Answers 408 to a client whose request head did not arrive in time. */
    void onHeaderTimeout() {
        if (exchange == null && !closing) {
            bodyBytes.reset();
            reply(GatewayError.REQUEST_TIMEOUT, GatewayError.REQUEST_TIMEOUT.defaultMessage(), null,
                    localRecord(null, null), false);
        }
    }

    /** Response body bytes written to the client since the current request began. */
    @Override
    public long bodyBytesSent() {
        return bodyBytes.total();
    }

    private void stopReading() {
        closing = true;
        Object msg;
        while ((msg = pipelined.poll()) != null) {
            ReferenceCountUtil.release(msg);
        }
    }

    @Override
    public void channelWritabilityChanged(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onClientWritabilityChanged(ctx.channel().isWritable());
        }
        ctx.fireChannelWritabilityChanged();
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event == ShutdownCut.EVENT) {
            if (exchange == null || !exchange.onShutdownCut()) {
                ctx.close(); // nothing here can end well in time; a stream closes behind its last event
            }
            return;
        }
        ctx.fireUserEventTriggered(event);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        if (exchange != null) {
            exchange.onClientClosed();
        }
        clock.stop();
        stopReading();
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        // Connection resets and the like: the exchange hears of it through channelInactive.
        ctx.close();
    }
}
