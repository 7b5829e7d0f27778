package io.infergate.server.reload;

import io.infergate.core.Ticker;
import io.infergate.core.config.LoadConfig;
import io.infergate.core.load.LoadReport;
import io.infergate.core.metrics.GatewayMetrics;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.server.upstream.ConnectionPools;
import io.infergate.server.upstream.KeepWarm;
import io.infergate.server.upstream.LoadPoller;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/**
 * The timers that serve the route table: keep-warm requests, load polls, and the admission tick
 * that answers deadlines and samples queue depths and loads. A reload moves them to the new table;
 * a route it removed is still ticked while requests it queued or admitted remain, so that they end
 * as they would have.
 */
public final class RouteUpkeep implements AutoCloseable {

    private static final LoadReport NO_REPORT = LoadReport.empty(LoadReport.Source.POLL, 0);

    /** How often the admission queues look again at deadlines and capacity (breakers, warming change it). */
    private static final Duration ADMISSION_TICK = Duration.ofMillis(100);

    private final EventLoopGroup group;
    private final ConnectionPools pools;
    private final GatewayMetrics metrics;
    private final Ticker ticker;
    private final Set<Route> leaving = ConcurrentHashMap.newKeySet();
    private final ScheduledFuture<?> ticks;
    private volatile RouteTable routes;
    private KeepWarm keepWarm;
    private LoadPoller loadPoller;

    public RouteUpkeep(RouteTable routes, EventLoopGroup group, ConnectionPools pools, GatewayMetrics metrics, Ticker ticker) {
        this.routes = routes;
        this.group = group;
        this.pools = pools;
        this.metrics = metrics;
        this.ticker = ticker;
        this.keepWarm = new KeepWarm(routes, group, pools);
        this.loadPoller = new LoadPoller(polls(routes), group, pools, ticker);
        this.ticks = group.next().scheduleAtFixedRate(this::tick,
                ADMISSION_TICK.toNanos(), ADMISSION_TICK.toNanos(), TimeUnit.NANOSECONDS);
    }

    /**
     * Serves {@code next} from now on: its keep-warm and polls replace the old ones; endpoints it no
     * longer has are retired (no new requests, idle connections closed); routes it no longer has are
     * ticked until their last request ends.
     */
    public synchronized void follow(RouteTable next) {
        RouteTable previous = routes;
        keepWarm.close();
        loadPoller.close();
        leaving.addAll(previous.routesGoneFrom(next));
        List<Endpoint> gone = previous.endpointsGoneFrom(next);
        gone.forEach(Endpoint::retire);
        pools.closeIdle(gone, group);
        routes = next;
        keepWarm = new KeepWarm(next, group, pools);
        loadPoller = new LoadPoller(polls(next), group, pools, ticker);
    }

    /** Each upstream polled once, at the first route's settings that name it. */
    private static List<LoadPoller.Poll> polls(RouteTable routes) {
        List<LoadPoller.Poll> polls = new ArrayList<>();
        for (Route route : routes.routes()) {
            LoadConfig.Poll poll = route.loadConfig().poll();
            if (poll != null) {
                for (Upstream upstream : route.upstreams()) {
                    polls.add(new LoadPoller.Poll(upstream, poll.every(), poll.path(), poll.timeout()));
                }
            }
        }
        return polls;
    }

    /**
     * Concurrency limits end their windows; admission queues look again at deadlines and capacity;
     * queue depths and endpoint loads are sampled.
     */
    private void tick() {
        RouteTable table = routes;
        for (Route route : table.routes()) {
            if (route.limits() != null) {
                route.limits().update(route.loadConfig().staleAfter()); // concurrency limits end their windows
            }
            route.admission().onTick();
            metrics.queueDepth(route.name(), route.admission().queueDepth());
        }
        leaving.removeIf(route -> {
            route.admission().onTick();
            return route.admission().queueDepth() == 0 && route.admission().inFlight() == 0;
        });
        long now = ticker.nanoTime();
        for (Endpoint endpoint : table.endpoints()) {
            metrics.upstreamLoad(endpoint.url().toString(), endpoint.load().current(now, table.staleAfter(endpoint))
                    .orElse(NO_REPORT));
        }
    }

    @Override
    public synchronized void close() {
        ticks.cancel(false);
        keepWarm.close();
        loadPoller.close();
    }
}
