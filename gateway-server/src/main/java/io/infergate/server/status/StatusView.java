package io.infergate.server.status;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.time.Instant;
import java.util.List;

/** A route's windows and the recent errors as the status feed writes them. */
public final class StatusView {

    private static final JsonNodeFactory NODES = JsonNodeFactory.instance;

    private final RouteWindow window; // null: no request of the route has ended yet

    private StatusView(RouteWindow window) {
        this.window = window;
    }

    public static StatusView of(StatusBoard board, String route) {
        return new StatusView(board.window(route));
    }

    /** {@code "1m"} and {@code "5m"} summaries and the requests per slot of the last five minutes. */
    public void writeTo(ObjectNode route) {
        ObjectNode windows = route.putObject("windows");
        summary(windows.putObject("1m"), Duration.ofMinutes(1));
        summary(windows.putObject("5m"), Duration.ofMinutes(5));
        ArrayNode spark = route.putArray("requestsPerSlot");
        route.put("slotSeconds", RouteWindow.SLOT.toSeconds());
        if (window != null) {
            for (long n : window.series(RouteWindow.Count.REQUESTS)) {
                spark.add(n);
            }
        }
    }

    private void summary(ObjectNode node, Duration span) {
        if (window == null) {
            node.put("requests", 0);
            return;
        }
        RouteWindow.Summary s = window.summary(span);
        node.put("requests", s.count(RouteWindow.Count.REQUESTS));
        node.put("perSecond", round(s.perSecond(RouteWindow.Count.REQUESTS)));
        seconds(node, "p50", s.quantile(RouteWindow.Timing.LATENCY, 0.50));
        seconds(node, "p95", s.quantile(RouteWindow.Timing.LATENCY, 0.95));
        seconds(node, "p99", s.quantile(RouteWindow.Timing.LATENCY, 0.99));
        seconds(node, "ttftP50", s.quantile(RouteWindow.Timing.FIRST_TOKEN, 0.50));
        seconds(node, "ttftP99", s.quantile(RouteWindow.Timing.FIRST_TOKEN, 0.99));
        seconds(node, "queueP50", s.quantile(RouteWindow.Timing.QUEUE_WAIT, 0.50));
        seconds(node, "queueP99", s.quantile(RouteWindow.Timing.QUEUE_WAIT, 0.99));
        node.put("errors", s.count(RouteWindow.Count.ERRORS));
        node.put("shedOverload", s.count(RouteWindow.Count.SHED_OVERLOAD));
        node.put("queueFull", s.count(RouteWindow.Count.QUEUE_FULL));
        node.put("rateLimited", s.count(RouteWindow.Count.RATE_LIMITED));
        node.put("retries", s.count(RouteWindow.Count.RETRIES));
        node.put("fallbacks", s.count(RouteWindow.Count.FALLBACKS));
    }

    /** A quantile in seconds, or null when nothing was timed. */
    private static void seconds(ObjectNode node, String field, double value) {
        if (Double.isNaN(value)) {
            node.putNull(field);
        } else {
            node.put(field, round(value));
        }
    }

    private static double round(double value) {
        return Math.round(value * 10_000) / 10_000.0;
    }

    /** The last errors, newest first. */
    public static List<ObjectNode> errors(StatusBoard board) {
        return board.errors().stream().map(e -> {
            ObjectNode node = NODES.objectNode();
            node.put("time", Instant.ofEpochMilli(e.epochMillis()).toString());
            node.put("requestId", e.requestId());
            node.put("route", e.route());
            node.put("cause", e.cause());
            node.put("status", e.status());
            node.put("upstream", e.upstream());
            return node;
        }).toList();
    }
}
