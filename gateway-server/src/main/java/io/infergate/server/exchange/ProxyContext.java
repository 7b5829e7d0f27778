package io.infergate.server.exchange;

import io.infergate.core.Ticker;
import io.infergate.core.config.ServerConfig;
import io.infergate.core.metrics.GatewayMetrics;
import io.infergate.core.ratelimit.RateLimitStore;
import io.infergate.core.ratelimit.RateLimiter;
import io.infergate.core.route.RouteTable;
import io.infergate.core.route.Routing;
import io.infergate.core.tenant.TenantDirectory;
import io.infergate.server.jobs.Jobs;
import io.infergate.server.metrics.AccessLog;
import io.infergate.server.relay.ClientResponder;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.status.StatusBoard;
import io.infergate.server.tracing.ExchangeTrace;
import io.infergate.server.tracing.Tracing;
import io.infergate.server.upstream.ConnectionPools;
import io.opentelemetry.context.Scope;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * What every exchange of one running gateway shares: routes and tenants (swapped whole by a reload),
 * the tenants' buckets, pools, meters, access log, clock and drain state.
 */
public final class ProxyContext {

    private final ServerConfig server;
    private volatile Routing routing;
    private final ConnectionPools pools;
    private final GatewayMetrics metrics;
    private final AccessLog accessLog;
    private final Ticker ticker;
    private final RateLimitStore rateLimiter;
    private final StatusBoard status;
    private volatile Jobs jobs;
    private volatile Tracing tracing = Tracing.OFF;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final AtomicBoolean draining = new AtomicBoolean();
    private final CompletableFuture<Void> drained = new CompletableFuture<>();

    /** A context whose rate limits are kept in this process. */
    public ProxyContext(ServerConfig server, Routing routing, ConnectionPools pools,
                        GatewayMetrics metrics, AccessLog accessLog, Ticker ticker) {
        this(server, routing, new RateLimiter(ticker), pools, metrics, accessLog, ticker);
    }

    public ProxyContext(ServerConfig server, Routing routing, RateLimitStore rateLimits,
                        ConnectionPools pools, GatewayMetrics metrics, AccessLog accessLog, Ticker ticker) {
        this.server = server;
        this.routing = routing;
        this.rateLimiter = rateLimits;
        this.pools = pools;
        this.metrics = metrics;
        this.accessLog = accessLog;
        this.ticker = ticker;
        this.status = new StatusBoard(ticker);
    }

    /**
     * A finished exchange: its trace ends, its request meters take it (with its span current, as their
     * exemplar), then as {@link #finished(ExchangeRecord)}.
     */
    void finished(ExchangeRecord record, ClientResponder responder, String upstream) {
        ExchangeTrace trace = responder.trace();
        trace.finished(record, trace.recording() && responder.stream() != null ? responder.stream().generatedTokens() : -1);
        try (Scope ignored = trace.current()) {
            metrics.exchangeCompleted(record.route(), upstream, record.status(), record.outcome(), record.totalNanos());
        }
        finished(record);
    }

    /** A finished request, for the status page and then the access log (which owns the record from then on). */
    public void finished(ExchangeRecord record) {
        status.finished(record);
        accessLog.write(record);
    }

    /** How exchanges are traced; {@link Tracing#OFF} unless the config has a {@code tracing} section. */
    public Tracing tracing() {
        return tracing;
    }

    /** Set once at start, before the first request. */
    public void tracing(Tracing tracing) {
        this.tracing = tracing;
    }

    /** The recent requests, as the status page shows them. */
    public StatusBoard status() {
        return status;
    }

    /** The jobs of this gateway; null when {@code jobs.enabled} is false. */
    public Jobs jobs() {
        return jobs;
    }

    /** Set once at start, before the first request: jobs need the gateway's own port. */
    public void jobs(Jobs jobs) {
        this.jobs = jobs;
    }

    /** The tenants of the config being served now. */
    public TenantDirectory tenants() {
        return routing.tenants();
    }

    RateLimitStore rateLimiter() {
        return rateLimiter;
    }

    public ServerConfig server() {
        return server;
    }

    /** The routes of the config being served now; an exchange keeps the route it started with. */
    public RouteTable routes() {
        return routing.routes();
    }

    /** The routes and tenants being served now, read together. */
    public Routing routing() {
        return routing;
    }

    /** A reload's routes and tenants, taken by every request from now on. */
    public void serve(Routing next) {
        this.routing = next;
    }

    ConnectionPools pools() {
        return pools;
    }

    public GatewayMetrics metrics() {
        return metrics;
    }

    public AccessLog accessLog() {
        return accessLog;
    }

    public Ticker ticker() {
        return ticker;
    }

    /** Exchanges started and not yet finished, across all connections. */
    public int inFlight() {
        return inFlight.get();
    }

    void exchangeStarted() {
        inFlight.incrementAndGet();
    }

    void exchangeEnded() {
        if (inFlight.decrementAndGet() == 0 && draining.get()) {
            drained.complete(null);
        }
    }

    /**
     * From now on every response says {@code Connection: close}. The returned future completes
     * when no exchange is in flight any more.
     */
    public CompletableFuture<Void> startDraining() {
        draining.set(true);
        if (inFlight.get() == 0) {
            drained.complete(null);
        }
        return drained;
    }

    public boolean draining() {
        return draining.get();
    }
}
