package io.infergate.server.status;

import io.infergate.core.Ticker;
import io.infergate.core.error.Ending;
import io.infergate.core.error.GatewayError;
import io.infergate.server.metrics.ExchangeRecord;

import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What the status page shows of the requests themselves: each route's last five minutes
 * ({@link RouteWindow}) and the last errors. Fed one finished exchange at a time, on its event loop,
 * before the access log takes the record; a few atomic increments per request.
 */
public final class StatusBoard {

    private final Ticker ticker;
    private final long origin;
    private final Map<String, RouteWindow> routes = new ConcurrentHashMap<>();
    private final RecentErrors errors = new RecentErrors();

    public StatusBoard(Ticker ticker) {
        this.ticker = ticker;
        this.origin = ticker.nanoTime();
    }

    public void finished(ExchangeRecord record) {
        String route = record.route();
        if (route == null) {
            route = "none";
        }
        RouteWindow.Slot slot = routes.computeIfAbsent(route, r -> new RouteWindow(ticker, origin)).current();
        slot.count(RouteWindow.Count.REQUESTS, 1);
        slot.time(RouteWindow.Timing.LATENCY, record.totalNanos());
        if (record.firstEventNanos() >= 0) {
            slot.time(RouteWindow.Timing.FIRST_TOKEN, record.firstEventNanos());
        }
        if (record.upstream() != null) { // admitted: an attempt was made
            slot.time(RouteWindow.Timing.QUEUE_WAIT, record.queueNanos());
        }
        if (record.retries() > 0) {
            slot.count(RouteWindow.Count.RETRIES, record.retries());
        }
        if (record.fallback()) {
            slot.count(RouteWindow.Count.FALLBACKS, 1);
        }
        String outcome = record.outcome();
        if (GatewayError.SHED_OVERLOAD.cause().equals(outcome)) {
            slot.count(RouteWindow.Count.SHED_OVERLOAD, 1);
        } else if (GatewayError.QUEUE_FULL.cause().equals(outcome)) {
            slot.count(RouteWindow.Count.QUEUE_FULL, 1);
        } else if (GatewayError.RATE_LIMITED.cause().equals(outcome)) {
            slot.count(RouteWindow.Count.RATE_LIMITED, 1);
        }
        boolean gatewayError = outcome != null && !outcome.equals(Ending.Normal.SUCCESS.tag())
                && !outcome.equals(Ending.Normal.CANCELLED.tag());
        if (gatewayError || record.status() >= 500) {
            slot.count(RouteWindow.Count.ERRORS, 1);
            errors.add(new RecentErrors.Error(record.startEpochMillis(), record.requestId(), route,
                    gatewayError ? outcome : "upstream_" + record.status(), record.status(), record.upstream()));
        }
    }

    /** The route's window, or null when no request of it has ended yet. */
    RouteWindow window(String route) {
        return routes.get(route);
    }

    List<RecentErrors.Error> errors() {
        return errors.newestFirst();
    }
}
