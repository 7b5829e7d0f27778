package io.infergate.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infergate.core.Ticker;
import io.infergate.core.capacity.ConcurrencyLimit;
import io.infergate.core.load.LoadReport;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.core.upstream.Warming;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.Supplier;

/**
 * {@code GET /admin/upstreams}: every endpoint's state as JSON, for an operator asking why a
 * request went where it went: who uses it, its breaker, whether it is warming, what is in flight, each
 * route's concurrency limit for it and what set that limit last, and the load it last reported.
 */
final class UpstreamsPage {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final double NANOS_PER_SECOND = 1e9;

    private final Supplier<RouteTable> routes;
    private final Ticker ticker;

    UpstreamsPage(Supplier<RouteTable> routes, Ticker ticker) {
        this.routes = routes;
        this.ticker = ticker;
    }

    private static void putKnown(ObjectNode node, String field, double value) {
        if (LoadReport.known(value)) {
            node.put(field, value);
        }
    }

    String render() {
        ObjectNode page = JSON.createObjectNode();
        page.set("endpoints", endpoints());
        return page.toPrettyString() + "\n";
    }

    /** Every endpoint of the routes served now, as the page and the status feed show them. */
    ArrayNode endpoints() {
        RouteTable routes = this.routes.get();
        Map<Endpoint, List<String>> usedBy = new IdentityHashMap<>();
        Map<Endpoint, ArrayNode> limits = new IdentityHashMap<>();
        for (Route route : routes.routes()) {
            for (Upstream upstream : route.upstreams()) {
                for (Endpoint endpoint : upstream.endpoints()) {
                    usedBy.computeIfAbsent(endpoint, e -> new ArrayList<>()).add(route.name() + "/" + upstream.name());
                    if (route.limits() != null) {
                        ConcurrencyLimit limit = route.limits().of(endpoint);
                        limits.computeIfAbsent(endpoint, e -> JSON.createArrayNode()).addObject()
                                .put("route", route.name() + "/" + upstream.name())
                                .put("limit", limit.limit())
                                .put("proven", limit.proven())
                                .put("learned", limit.isLearned())
                                .put("setBy", limit.cause().tag());
                    }
                }
            }
        }
        ArrayNode endpoints = JSON.createArrayNode();
        for (Endpoint endpoint : routes.endpoints()) {
            ObjectNode node = endpoints.addObject();
            node.put("url", endpoint.url().toString());
            ArrayNode users = node.putArray("usedBy");
            usedBy.getOrDefault(endpoint, List.of()).forEach(users::add);
            node.put("inFlight", endpoint.inFlight());
            node.set("concurrencyLimits", limits.getOrDefault(endpoint, JSON.createArrayNode()));
            ObjectNode breaker = node.putObject("breaker");
            breaker.put("state", endpoint.breaker().phase().name().toLowerCase(Locale.ROOT).replace('_', '-'));
            breaker.put("secondsUntilProbe", endpoint.breaker().nanosUntilProbe() / NANOS_PER_SECOND);
            Warming warming = endpoint.warming();
            ObjectNode cold = node.putObject("warming");
            cold.put("warming", warming.isWarming());
            long eta = warming.nanosUntilReady();
            if (eta >= 0) {
                cold.put("etaSeconds", eta / NANOS_PER_SECOND);
            } else {
                cold.putNull("etaSeconds");
            }
            cold.put("waiting", warming.waiting());
            cold.put("coldStarts", warming.coldStarts());
            Optional<LoadReport> load = endpoint.load().current(ticker.nanoTime(), routes.staleAfter(endpoint));
            if (load.isPresent()) {
                ObjectNode report = node.putObject("load");
                LoadReport r = load.get();
                report.put("source", r.source().name().toLowerCase(Locale.ROOT));
                report.put("ageSeconds", (ticker.nanoTime() - r.receivedNanos()) / NANOS_PER_SECOND);
                putKnown(report, "utilization", r.utilization());
                putKnown(report, "gpuUtilization", r.gpuUtilization());
                putKnown(report, "kvCacheUsage", r.kvCacheUsage());
                putKnown(report, "queueDepth", r.queueDepth());
                putKnown(report, "running", r.running());
                putKnown(report, "maxConcurrent", r.maxConcurrent());
            } else {
                node.putNull("load");
            }
            node.put("loadSignalsRejected", endpoint.load().rejectedCount());
        }
        return endpoints;
    }
}
