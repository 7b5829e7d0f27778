package io.infergate.server.admin;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import io.infergate.core.job.JobStatus;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.server.jobs.Jobs;
import io.infergate.server.reload.ConfigReloader;
import io.infergate.server.status.StatusBoard;
import io.infergate.server.status.StatusView;

import java.time.Clock;
import java.util.Locale;
import java.util.function.Supplier;

/**
 * The status page's data, one JSON document a second: each route's last minute and five (rates,
 * percentiles, sheds, retries, fallbacks), each endpoint's state (as {@code /admin/upstreams} has it),
 * the last errors, the jobs by status, and the config in force. No keys, no tokens: endpoint URLs
 * carry none.
 */
final class StatusJson {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final Supplier<RouteTable> routes;
    private final StatusBoard board;
    private final UpstreamsPage upstreams;
    private final Jobs jobs;
    private final ConfigReloader reloader;
    private final Clock clock;

    /** @param jobs null when jobs are off; @param reloader null for a gateway started from no file */
    StatusJson(Supplier<RouteTable> routes, StatusBoard board, UpstreamsPage upstreams, Jobs jobs,
               ConfigReloader reloader, Clock clock) {
        this.routes = routes;
        this.board = board;
        this.upstreams = upstreams;
        this.jobs = jobs;
        this.reloader = reloader;
        this.clock = clock;
    }

    String render() {
        ObjectNode status = JSON.createObjectNode();
        status.put("time", clock.millis());
        ArrayNode routeNodes = status.putArray("routes");
        for (Route route : routes.get().routes()) {
            ObjectNode node = routeNodes.addObject();
            node.put("name", route.name());
            node.put("pathPrefix", route.pathPrefix());
            node.put("queueDepth", route.admission().queueDepth());
            node.put("inFlight", route.admission().inFlight());
            node.put("capacity", route.loadView().slots());
            StatusView.of(board, route.name()).writeTo(node);
        }
        status.set("endpoints", upstreams.endpoints());
        ArrayNode errors = status.putArray("errors");
        StatusView.errors(board).forEach(errors::add);
        if (jobs != null) {
            ObjectNode counts = status.putObject("jobs");
            var byStatus = jobs.countByStatus();
            for (JobStatus s : JobStatus.values()) {
                counts.put(s.name().toLowerCase(Locale.ROOT), byStatus.getOrDefault(s, 0L));
            }
        }
        if (reloader != null) {
            ConfigReloader.Served served = reloader.served();
            ObjectNode config = status.putObject("config");
            config.put("sha256", served.sha256());
            config.put("loadedAt", served.loadedAt().toString());
        }
        return status.toString();
    }
}
