package io.infergate.server.metrics;

import io.infergate.core.config.Timeouts;
import io.infergate.core.route.Route;

import java.time.Duration;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * The bucket bounds of the gateway's histograms: a fixed ladder, plus bounds at the configured
 * timeouts. Every series of a meter gets the same bounds, so that {@code histogram_quantile} may sum
 * them over routes and instances; with a bound at exactly 80 % of a route's total timeout, the p99
 * computed from the buckets crosses that line exactly when more than 1 % of requests do, which is
 * what the shipped latency alert asks.
 */
final class HistogramBounds {

    /** Requests, first tokens and queue waits: 5 ms to 10 minutes. */
    static final List<Duration> LADDER = millis(5, 10, 25, 50, 100, 250, 500, 1_000, 2_000, 5_000, 10_000, 20_000,
            30_000, 60_000, 120_000, 300_000, 600_000);
    /** Gaps between stream events: 1 ms to 2 minutes. */
    static final List<Duration> GAP_LADDER = millis(1, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 15_000,
            30_000, 60_000, 120_000);
    /** Opening connections: 1 ms to 10 s. */
    static final List<Duration> CONNECT_LADDER = millis(1, 2, 5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000);

    private HistogramBounds() {}

    /** Request durations: the ladder, and 80 % and 100 % of every route's {@code total} and {@code firstByte}. */
    static Duration[] requestDuration(Collection<Route> routes) {
        return bounds(LADDER, routes, t -> Stream.of(t.total(), t.firstByte()), true);
    }

    /** Time to first token: the ladder, and 80 % and 100 % of every route's {@code firstByte} and {@code firstToken}. */
    static Duration[] firstToken(Collection<Route> routes) {
        return bounds(LADDER, routes, t -> Stream.of(t.firstByte(), t.firstToken()), true);
    }

    /** Gaps between events: their ladder, and 80 % and 100 % of every route's {@code streamIdle}. */
    static Duration[] streamGap(Collection<Route> routes) {
        return bounds(GAP_LADDER, routes, t -> Stream.of(t.streamIdle()), true);
    }

    /** Connect times: their ladder, and 80 % and 100 % of every route's {@code connect}. */
    static Duration[] connect(Collection<Route> routes) {
        return bounds(CONNECT_LADDER, routes, t -> Stream.of(t.connect()), true);
    }

    /** Queue waits: the ladder, and 25 % of every route's {@code total}, where the shipped queue-wait alert fires. */
    static Duration[] queueWait(Collection<Route> routes) {
        return bounds(LADDER, routes, t -> Stream.of(t.total().dividedBy(4)), false);
    }

    private static Duration[] bounds(List<Duration> ladder, Collection<Route> routes,
                                     Function<Timeouts, Stream<Duration>> timeouts, boolean atEightyPercent) {
        TreeSet<Duration> bounds = new TreeSet<>(ladder);
        for (Route route : routes) {
            timeouts.apply(route.timeouts()).filter(t -> t != null && !t.isZero()).forEach(t -> {
                bounds.add(t);
                if (atEightyPercent) {
                    bounds.add(t.multipliedBy(4).dividedBy(5));
                }
            });
        }
        return bounds.toArray(Duration[]::new);
    }

    private static List<Duration> millis(long... values) {
        return Arrays.stream(values).mapToObj(Duration::ofMillis).toList();
    }
}
