package io.infergate.server.reload;

import io.infergate.core.Ticker;
import io.infergate.core.config.GatewayConfig;
import io.infergate.core.resilience.CircuitBreaker;
import io.infergate.core.route.RouteTable;
import io.infergate.core.route.Routing;
import io.infergate.core.tenant.TenantDirectory;
import io.infergate.server.exchange.ProxyContext;
import io.infergate.server.metrics.MicrometerGatewayMetrics;
import io.infergate.server.upstream.TlsContexts;

import java.util.function.Consumer;

/**
 * Puts a new config's routes and tenants in front of requests. {@link #prepare} does everything that
 * can fail, before anything changes; {@link #serve} then cannot fail: it compiles the routes with the
 * running table's state carried over (see {@link RouteTable#compile}), gives them meters, swaps
 * routes and tenants at once, and moves the timers.
 */
public final class RoutingSwap {

    private final ProxyContext context;
    private final TlsContexts tls;
    private final MicrometerGatewayMetrics metrics;
    private final RouteUpkeep upkeep;
    private final Ticker ticker;
    private final Consumer<CircuitBreaker.Transition> onTransition;

    public RoutingSwap(ProxyContext context, TlsContexts tls, MicrometerGatewayMetrics metrics, RouteUpkeep upkeep,
                       Ticker ticker, Consumer<CircuitBreaker.Transition> onTransition) {
        this.context = context;
        this.tls = tls;
        this.metrics = metrics;
        this.upkeep = upkeep;
        this.ticker = ticker;
        this.onTransition = onTransition;
    }

    /**
     * Readies what {@code next} needs beyond itself: the TLS contexts of its https endpoints.
     *
     * @throws RuntimeException saying what cannot be used (a CA file that cannot be read, say)
     */
    void prepare(GatewayConfig next) {
        tls.prepare(RouteTable.compile(next).endpoints());
    }

    void serve(GatewayConfig next) {
        RouteTable previous = context.routes();
        RouteTable routes = RouteTable.compile(next, ticker, onTransition, previous);
        metrics.follow(previous, routes);
        context.serve(new Routing(routes, TenantDirectory.of(next)));
        upkeep.follow(routes);
    }
}
