package io.infergate.server.metrics;

import io.infergate.core.admission.Tier;
import io.infergate.core.config.Timeouts;
import io.infergate.core.error.GatewayError;
import io.infergate.core.load.LoadReport;
import io.infergate.core.metrics.GatewayMetrics;
import io.infergate.core.metrics.MeterNames;
import io.infergate.core.recovery.RecoveryOutcome;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

/**
 * The gateway's meters in a Micrometer registry, under the names and labels of {@link MeterNames}.
 *
 * <p>Every meter a route, upstream or endpoint of the config can have is registered at start, at
 * zero, including those fed by capabilities the request path does not have yet (admission, rate
 * limits, load reports): dashboards and alerts never point at nothing. Label values only a request
 * can tell (a status, an outcome) add their series when they first occur.
 *
 * <p>Histograms have fixed bucket bounds ({@link HistogramBounds}) and no client-side percentiles:
 * with both, Micrometer's Prometheus registry exports the histogram only, and percentiles computed
 * on one instance could not be summed over several anyway. Prometheus computes them from the
 * buckets with {@code histogram_quantile}.
 */
public final class MicrometerGatewayMetrics implements GatewayMetrics {

    private static final String SUCCESS = "success";
    private static final String OK = "200";
    /** The route and upstream of an answer the gateway made before it had either. */
    private static final String NONE = "none";
    private static final List<String> SHED_CAUSES = List.of(GatewayError.SHED_OVERLOAD.cause(), GatewayError.QUEUE_FULL.cause());

    private final MeterRegistry registry;

    private final MeterFamily<Timer> requestDuration;
    private final MeterFamily<Timer> firstToken;
    private final MeterFamily<Timer> streamGap;
    private final MeterFamily<Timer> queueWait;
    private final MeterFamily<Timer> connect;
    private final MeterFamily<Counter> requests;
    private final MeterFamily<Counter> shed;
    private final MeterFamily<Counter> fallbacks;
    private final MeterFamily<Counter> retries;
    private final MeterFamily<Counter> heartbeats;
    private final MeterFamily<Counter> cancelled;
    private final MeterFamily<Counter> truncated;
    private final MeterFamily<Counter> recoveries;
    private final MeterFamily<Counter> rateLimited;
    private final Map<String, AtomicInteger> inFlight = new ConcurrentHashMap<>();
    /** The meters every request of a route touches, found once per request by the route's name. */
    private final Map<String, RouteMeters> byRoute = new ConcurrentHashMap<>();
    private final Map<String, AtomicInteger> queueDepth = new ConcurrentHashMap<>();
    private final EndpointGauges endpoints;
    private final LimitGauges limits;
    /** Each route's timeouts as configured now, read by its gauges: a reload may change them. */
    private final Map<String, Timeouts> timeouts = new ConcurrentHashMap<>();

    public MicrometerGatewayMetrics(MeterRegistry registry, RouteTable routes) {
        this.registry = registry;
        this.endpoints = new EndpointGauges(registry);
        this.limits = new LimitGauges(registry);
        List<Route> all = routes.routes();
        requestDuration = timers(MeterNames.REQUEST_DURATION, "Time from the request head to the end of the response",
                HistogramBounds.requestDuration(all), "route", "upstream", "status", "outcome");
        firstToken = timers(MeterNames.TIME_TO_FIRST_TOKEN, "Streams: time from the request head to the first upstream event relayed",
                HistogramBounds.firstToken(all), "route", "upstream");
        streamGap = timers(MeterNames.STREAM_INTER_EVENT, "Streams: time between two relayed upstream events",
                HistogramBounds.streamGap(all), "route");
        queueWait = timers(MeterNames.QUEUE_WAIT, "Time a request waited for admission",
                HistogramBounds.queueWait(all), "route", "tier");
        connect = timers(MeterNames.UPSTREAM_CONNECT, "Time to open a new connection to an endpoint, TCP and TLS",
                HistogramBounds.connect(all), "upstream", "endpoint");
        requests = counters(MeterNames.REQUESTS, "Requests answered", "route", "status", "outcome");
        shed = counters(MeterNames.SHED, "Requests refused by admission control", "route", "cause", "tier");
        fallbacks = counters(MeterNames.FALLBACK, "Requests that moved on to a fallback upstream", "route", "upstream");
        retries = counters(MeterNames.RETRIES, "Attempts made again on the same upstream", "route", "upstream");
        heartbeats = counters(MeterNames.HEARTBEATS, "Keep-alive comments written to streaming clients", "route");
        cancelled = counters(MeterNames.STREAM_CANCELLED, "Streams whose client went away; the upstream request was closed", "route");
        truncated = counters(MeterNames.STREAM_TRUNCATED, "Streams the upstream ended without its protocol's final event", "route");
        recoveries = counters(MeterNames.STREAM_RECOVERIES, "Streams that broke after content reached the client, by"
                + " how their recovery ended", "route", "outcome");
        rateLimited = counters(MeterNames.RATE_LIMITED, "Requests refused by a rate limit", "route", "tier");
        for (Route route : all) {
            registerRoute(route);
        }
        routes.endpoints().forEach(endpoints::register);
    }

    /**
     * A reload replaced {@code previous} with {@code next}: new routes and endpoints get their
     * meters, at zero; the gauges of endpoints and routes that are gone are removed (their counters
     * stay, as history); timeouts read as configured now. Histogram bounds stay as at start.
     */
    public void follow(RouteTable previous, RouteTable next) {
        previous.endpointsGoneFrom(next).forEach(endpoints::remove);
        for (Route gone : previous.routesGoneFrom(next)) {
            timeouts.remove(gone.name());
            limits.removed(gone);
            registry.find(MeterNames.ROUTE_TIMEOUT).tag("route", gone.name()).gauges().forEach(registry::remove);
        }
        next.routes().forEach(this::registerRoute);
        next.endpoints().forEach(endpoints::register);
    }

    private void registerRoute(Route route) {
        String name = route.name();
        byRoute.computeIfAbsent(name, n -> new RouteMeters(inFlight(n)));
        timeouts.put(name, route.timeouts());
        timeoutGauge(name, "total", Timeouts::total);
        timeoutGauge(name, "firstByte", Timeouts::firstByte);
        Gauge.builder(MeterNames.INFLIGHT_REQUESTS, inFlight(name), AtomicInteger::get)
                .description("Requests in progress").tag("route", name).strongReference(true).register(registry);
        limits.register(route);
        Gauge.builder(MeterNames.QUEUE_DEPTH, queueDepth(name), AtomicInteger::get)
                .description("Requests waiting for admission").tag("route", name).strongReference(true).register(registry);
        requests.get(name, OK, SUCCESS);
        streamGap.get(name);
        heartbeats.get(name);
        cancelled.get(name);
        truncated.get(name);
        for (RecoveryOutcome outcome : RecoveryOutcome.values()) {
            recoveries.get(name, outcome.label());
        }
        for (Tier tier : Tier.DEFAULTS) {
            queueWait.get(name, tier.name());
            rateLimited.get(name, tier.name());
            for (String cause : SHED_CAUSES) {
                shed.get(name, cause, tier.name());
            }
        }
        for (Upstream upstream : route.upstreams()) {
            requestDuration.get(name, upstream.name(), OK, SUCCESS);
            firstToken.get(name, upstream.name());
            retries.get(name, upstream.name());
            // The primary's stays at zero; it keeps the family there on a gateway without fallbacks.
            fallbacks.get(name, upstream.name());
            for (Endpoint endpoint : upstream.endpoints()) {
                connect.get(upstream.name(), endpoint.url().toString());
            }
        }
    }

    /** The access log's lost lines, read at each scrape; registered for every gateway, at zero when the log is off. */
    public void accessLog(AccessLog accessLog) {
        FunctionCounter.builder(MeterNames.ACCESS_LOG_DROPPED, accessLog, AccessLog::dropped)
                .description("Access log lines lost: its queue was full or its output refused them").register(registry);
    }

    @Override
    public void exchangeStarted(String route) {
        RouteMeters meters = byRoute.get(route);
        (meters == null ? inFlight(route) : meters.inFlight).incrementAndGet();
    }

    @Override
    public void exchangeCompleted(String route, String upstream, int status, String outcome, long durationNanos) {
        RouteMeters meters = byRoute.get(route);
        Completion completion = meters == null ? null : meters.last;
        if (completion == null || !completion.is(upstream, status, outcome)) {
            String code = Integer.toString(status);
            completion = new Completion(upstream, status, outcome,
                    requestDuration.get(route, upstream, code, outcome), requests.get(route, code, outcome));
            if (meters != null) {
                meters.last = completion;
            }
        }
        (meters == null ? inFlight(route) : meters.inFlight).decrementAndGet();
        completion.duration().record(durationNanos, TimeUnit.NANOSECONDS);
        completion.count().increment();
    }

    @Override
    public void answeredLocally(int status, String outcome, long durationNanos) {
        String code = Integer.toString(status);
        requestDuration.get(NONE, NONE, code, outcome).record(durationNanos, TimeUnit.NANOSECONDS);
        requests.get(NONE, code, outcome).increment();
    }

    @Override
    public void firstTokenRelayed(String route, String upstream, long nanos) {
        firstToken.get(route, upstream).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void streamEventGap(String route, long nanos) {
        streamGap.get(route).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void upstreamConnected(String upstream, String endpoint, long nanos) {
        connect.get(upstream, endpoint).record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void queueWaited(String route, String tier, long nanos) {
        RouteMeters meters = byRoute.get(route);
        Timer timer = meters == null ? queueWait.get(route, tier)
                : meters.queueWaitByTier.computeIfAbsent(tier, t -> queueWait.get(route, t));
        timer.record(nanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void shed(String route, String cause, String tier) {
        shed.get(route, cause, tier).increment();
    }

    @Override
    public void rateLimited(String route, String tier) {
        rateLimited.get(route, tier).increment();
    }

    @Override
    public void queueDepth(String route, int depth) {
        queueDepth(route).set(depth);
    }

    @Override
    public void upstreamLoad(String endpoint, LoadReport report) {
        endpoints.report(endpoint, report);
    }

    @Override
    public void retried(String route, String upstream) {
        retries.get(route, upstream).increment();
    }

    @Override
    public void fellBack(String route, String upstream) {
        fallbacks.get(route, upstream).increment();
    }

    @Override
    public void heartbeatSent(String route) {
        heartbeats.get(route).increment();
    }

    @Override
    public void streamCancelled(String route) {
        cancelled.get(route).increment();
    }

    @Override
    public void streamTruncated(String route) {
        truncated.get(route).increment();
    }

    @Override
    public void streamRecovered(String route, String outcome) {
        recoveries.get(route, outcome).increment();
    }

    private AtomicInteger inFlight(String route) {
        return inFlight.computeIfAbsent(route, r -> new AtomicInteger());
    }

    private AtomicInteger queueDepth(String route) {
        return queueDepth.computeIfAbsent(route, r -> new AtomicInteger());
    }

    private void timeoutGauge(String route, String kind, Function<Timeouts, Duration> timeout) {
        Gauge.builder(MeterNames.ROUTE_TIMEOUT, () -> {
                    Timeouts now = timeouts.get(route);
                    return now == null ? Double.NaN : seconds(timeout.apply(now));
                })
                .description("A route's configured timeout").tags(Tags.of("route", route, "kind", kind)).register(registry);
    }

    private static double seconds(Duration duration) {
        return duration.toNanos() / 1e9;
    }

    private MeterFamily<Timer> timers(String name, String description, Duration[] bounds, String... labels) {
        return new MeterFamily<>(labels, tags -> Timer.builder(name).description(description).tags(tags)
                .serviceLevelObjectives(bounds).register(registry));
    }

    private MeterFamily<Counter> counters(String name, String description, String... labels) {
        return new MeterFamily<>(labels, tags -> Counter.builder(name).description(description).tags(tags).register(registry));
    }
}
