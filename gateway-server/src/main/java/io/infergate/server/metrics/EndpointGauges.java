package io.infergate.server.metrics;

import io.infergate.core.load.LoadReport;
import io.infergate.core.metrics.MeterNames;
import io.infergate.core.upstream.Endpoint;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Each endpoint's gauges: its breaker, warming, cold starts and last load report. Registered when
 * the endpoint joins (at start, or by a reload) and removed when a reload retires it, so that an
 * endpoint that is gone does not go on reporting its last state.
 */
final class EndpointGauges {

    private final MeterRegistry registry;
    /** Endpoints compare by identity: one with the same URL and new TLS settings is another endpoint. */
    private final Map<Endpoint, List<Meter>> registered = new ConcurrentHashMap<>();
    private final Map<String, AtomicReference<LoadReport>> load = new ConcurrentHashMap<>();

    EndpointGauges(MeterRegistry registry) {
        this.registry = registry;
    }

    void register(Endpoint endpoint) {
        registered.computeIfAbsent(endpoint, this::meters);
    }

    void remove(Endpoint endpoint) {
        List<Meter> meters = registered.remove(endpoint);
        if (meters != null) {
            meters.forEach(registry::remove);
            load.remove(endpoint.url().toString());
        }
    }

    /** The endpoint's last report, as the gauges read it; ignored for an endpoint not registered. */
    void report(String url, LoadReport report) {
        AtomicReference<LoadReport> latest = load.get(url);
        if (latest != null) {
            latest.set(report);
        }
    }

    private List<Meter> meters(Endpoint endpoint) {
        String url = endpoint.url().toString();
        List<Meter> meters = new ArrayList<>();
        meters.add(Gauge.builder(MeterNames.BREAKER_STATE, endpoint, e -> e.breaker().phase().ordinal())
                .description("An endpoint's circuit breaker: 0 closed, 1 half-open, 2 open")
                .tag("endpoint", url).strongReference(true).register(registry));
        meters.add(Gauge.builder(MeterNames.ENDPOINT_WARMING, endpoint, e -> e.warming().isWarming() ? 1 : 0)
                .description("1 while an endpoint is starting (cold start), else 0")
                .tag("endpoint", url).strongReference(true).register(registry));
        meters.add(FunctionCounter.builder(MeterNames.COLD_STARTS, endpoint, e -> e.warming().coldStarts())
                .description("Cold starts of an endpoint seen by the gateway")
                .tag("endpoint", url).register(registry));
        AtomicReference<LoadReport> latest = load.computeIfAbsent(url, u -> new AtomicReference<>());
        for (UpstreamLoadSignal signal : UpstreamLoadSignal.values()) {
            meters.add(Gauge.builder(MeterNames.UPSTREAM_LOAD, latest, r -> signal.of(r.get()))
                    .description("A load signal an endpoint reports; NaN until it reports it")
                    .tags("endpoint", url, "signal", signal.label).strongReference(true).register(registry));
        }
        return meters;
    }
}
