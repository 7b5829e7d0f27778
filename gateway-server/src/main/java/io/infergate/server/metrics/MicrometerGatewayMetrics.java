package io.infergate.server.metrics;

import io.infergate.core.metrics.GatewayMetrics;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;

/** The gateway's meters in a Micrometer registry; each tag combination is looked up once, then cached. */
public final class MicrometerGatewayMetrics implements GatewayMetrics {

    private record TimerKey(String route, String upstream, int status, String outcome) {}

    private final MeterRegistry registry;
    private final Map<TimerKey, Timer> requestTimers = new ConcurrentHashMap<>();

    public MicrometerGatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void exchangeCompleted(String route, String upstream, int status, String outcome, long durationNanos) {
        requestTimers.computeIfAbsent(new TimerKey(route, upstream, status, outcome), this::requestTimer)
                .record(durationNanos, TimeUnit.NANOSECONDS);
    }

    private Timer requestTimer(TimerKey key) {
        return Timer.builder("gateway.request.duration")
                .description("Time from the request head to the end of the response")
                .tag("route", key.route())
                .tag("upstream", key.upstream())
                .tag("status", Integer.toString(key.status()))
                .tag("outcome", key.outcome())
                .register(registry);
    }
}
