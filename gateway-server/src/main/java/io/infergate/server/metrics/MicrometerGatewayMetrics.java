package io.infergate.server.metrics;

import io.infergate.core.metrics.GatewayMetrics;
import io.micrometer.core.instrument.Counter;
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
    private record UpstreamKey(String route, String upstream) {}

    private final Map<UpstreamKey, Counter> retries = new ConcurrentHashMap<>();
    private final Map<UpstreamKey, Counter> fallbacks = new ConcurrentHashMap<>();
    private final Map<String, Counter> heartbeats = new ConcurrentHashMap<>();
    private final Map<String, Counter> cancelled = new ConcurrentHashMap<>();
    private final Map<String, Counter> truncated = new ConcurrentHashMap<>();

    public MicrometerGatewayMetrics(MeterRegistry registry) {
        this.registry = registry;
    }

    @Override
    public void exchangeCompleted(String route, String upstream, int status, String outcome, long durationNanos) {
        requestTimers.computeIfAbsent(new TimerKey(route, upstream, status, outcome), this::requestTimer)
                .record(durationNanos, TimeUnit.NANOSECONDS);
    }

    @Override
    public void retried(String route, String upstream) {
        retries.computeIfAbsent(new UpstreamKey(route, upstream), k -> Counter.builder("gateway.retries")
                .description("Attempts made again on the same upstream").tag("route", route).tag("upstream", upstream)
                .register(registry)).increment();
    }

    @Override
    public void fellBack(String route, String upstream) {
        fallbacks.computeIfAbsent(new UpstreamKey(route, upstream), k -> Counter.builder("gateway.fallback")
                .description("Requests that moved on to a fallback upstream").tag("route", route).tag("upstream", upstream)
                .register(registry)).increment();
    }

    @Override
    public void heartbeatSent(String route) {
        heartbeats.computeIfAbsent(route, r -> counter("gateway.heartbeats", "Keep-alive comments written to streaming clients", r))
                .increment();
    }

    @Override
    public void streamCancelled(String route) {
        cancelled.computeIfAbsent(route, r -> counter("gateway.stream.cancelled",
                "Streams whose client went away; the upstream request was closed", r)).increment();
    }

    @Override
    public void streamTruncated(String route) {
        truncated.computeIfAbsent(route, r -> counter("gateway.stream.truncated",
                "Streams the upstream ended without its protocol's final event", r)).increment();
    }

    private Counter counter(String name, String description, String route) {
        return Counter.builder(name).description(description).tag("route", route).register(registry);
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
