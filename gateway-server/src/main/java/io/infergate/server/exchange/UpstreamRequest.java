package io.infergate.server.exchange;

import io.infergate.server.wire.ForwardingHeaders;
import io.infergate.server.wire.GatewayHeaders;
import io.infergate.core.error.GatewayError;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.route.Route;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.tracing.ExchangeTrace;
import io.infergate.server.upstream.ConnectionPool;
import io.infergate.server.upstream.UpstreamConnection;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.util.concurrent.Future;

import java.util.concurrent.TimeUnit;

/**
 * The way up, for each attempt: the request addressed to the attempt's endpoint (its path, its
 * {@code Host}, its upstream's credentials or the client's own, HF's scale-up hint), a connection
 * from the event loop's pool, then the head and the whole body in one write. A connection that comes
 * for an attempt already over goes back unused.
 */
final class UpstreamRequest {

    private final Exchange exchange;
    private final HttpRequest request;
    private final String routeTarget;
    /** Read after the gate took the tenant's key off: a credential the client meant for the upstream. */
    private final String clientAuthorization;
    private final Route route;
    private final ProxyContext context;
    private final ExchangeRecord record;
    private final ExchangeTimeouts timeouts;
    private final RequestBody body;
    private final ColdStartWait coldStart;
    private final ResponseRelay relay;
    private final ExchangeTrace trace;

    UpstreamRequest(Exchange exchange, HttpRequest request, String routeTarget, Route route, ProxyContext context,
                    ExchangeRecord record, ExchangeTimeouts timeouts, RequestBody body, ColdStartWait coldStart,
                    ResponseRelay relay, ExchangeTrace trace) {
        this.exchange = exchange;
        this.request = request;
        this.routeTarget = routeTarget;
        this.clientAuthorization = request.headers().get(HttpHeaderNames.AUTHORIZATION);
        this.route = route;
        this.context = context;
        this.record = record;
        this.timeouts = timeouts;
        this.body = body;
        this.coldStart = coldStart;
        this.relay = relay;
        this.trace = trace;
    }

    /**
     * Sends the request for {@code attempt}. With {@code inClientRead}, a pooled connection's write
     * waits for the end of the client's read, which flushes it.
     */
    void send(Attempt attempt, boolean inClientRead) {
        record.attemptStarted(attempt.upstream.name(), attempt.endpoint.url().toString(), context.ticker().nanoTime());
        ForwardingHeaders.address(request, attempt.endpoint.url().basePath() + routeTarget, attempt.endpoint.url(),
                attempt.upstream.auth(), clientAuthorization);
        trace.attemptStarted(attempt.upstream, attempt.endpoint, attempt.onFallback, request.headers());
        if (attempt.upstream.coldStart().scaleUpTimeoutHeader()) {
            // HF's proxy holds the request itself while a replica starts, as long as it can wait.
            long now = context.ticker().nanoTime();
            long seconds = TimeUnit.NANOSECONDS.toSeconds(
                    coldStart.canStillHold(attempt.upstream.coldStart(), now, timeouts.nanosLeft(now)));
            request.headers().set(GatewayHeaders.X_SCALE_UP_TIMEOUT, Math.max(1, seconds));
        }
        relay.begin(attempt);
        Future<UpstreamConnection> acquired = attempt.connect(relay, route.timeouts().connect().toMillis());
        if (acquired.isDone()) {
            onConnected(attempt, acquired, !inClientRead);
        } else {
            acquired.addListener(f -> onConnected(attempt, acquired, true));
        }
    }

    private void onConnected(Attempt connecting, Future<UpstreamConnection> future, boolean flush) {
        if (!exchange.isCurrent(connecting)) {
            if (future.isSuccess()) {
                connecting.returnUnused(future.getNow());
            }
            return;
        }
        if (!future.isSuccess()) {
            GatewayError cause = ConnectionPool.failureCause(future.cause());
            context.pools().problems().failed(connecting.endpoint, cause, future.cause());
            exchange.attemptFailed(cause == GatewayError.TLS_FAILED ? new AttemptOutcome.TlsFailed()
                    : new AttemptOutcome.ConnectFailed(cause == GatewayError.CONNECT_TIMEOUT), cause);
            return;
        }
        UpstreamConnection connection = connecting.attach(future.getNow());
        stampConnected(connecting, connection);
        Channel channel = connection.channel();
        if (body.sendWith(request, channel, connecting.upstream.rewriteModel()) || flush) {
            channel.flush();
        }
        connecting.requestSent();
        long now = context.ticker().nanoTime();
        timeouts.requestSent(now);
        record.requestSent(now);
        exchange.moveTo(Phase.AWAITING_HEAD);
        channel.read();
    }

    /** The attempt's connect time: a new connection's goes to the meter, a pooled one took none. */
    private void stampConnected(Attempt attempt, UpstreamConnection connection) {
        boolean opened = connection.reuses() == 0;
        record.connected(opened ? connection.connectNanos() : 0);
        if (opened) {
            context.pools().problems().connected(attempt.endpoint);
            context.metrics().upstreamConnected(attempt.upstream.name(), record.endpoint(), connection.connectNanos());
        }
    }
}
