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

    /** The counters, with what they count; each is tagged by route, and by upstream where one is named. */
    private enum Count {
        RETRIES("gateway.retries", "Attempts made again on the same upstream"),
        FALLBACKS("gateway.fallback", "Requests that moved on to a fallback upstream"),
        HEARTBEATS("gateway.heartbeats", "Keep-alive comments written to streaming clients"),
        CANCELLED("gateway.stream.cancelled", "Streams whose client went away; the upstream request was closed"),
        TRUNCATED("gateway.stream.truncated", "Streams the upstream ended without its protocol's final event");

        final String meter;
        final String description;

        Count(String meter, String description) {
            this.meter = meter;
            this.description = description;
        }
    }

    private record TimerKey(String route, String upstream, int status, String outcome) {}

    private record CounterKey(Count count, String route, String upstream) {}

    private final MeterRegistry registry;
    private final Map<TimerKey, Timer> requestTimers = new ConcurrentHashMap<>();
    private final Map<CounterKey, Counter> counters = new ConcurrentHashMap<>();

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
        increment(Count.RETRIES, route, upstream);
    }

    @Override
    public void fellBack(String route, String upstream) {
        increment(Count.FALLBACKS, route, upstream);
    }

    @Override
    public void heartbeatSent(String route) {
        increment(Count.HEARTBEATS, route, null);
    }

    @Override
    public void streamCancelled(String route) {
        increment(Count.CANCELLED, route, null);
    }

    @Override
    public void streamTruncated(String route) {
        increment(Count.TRUNCATED, route, null);
    }

    private void increment(Count count, String route, String upstream) {
        counters.computeIfAbsent(new CounterKey(count, route, upstream), this::counter).increment();
    }

    private Counter counter(CounterKey key) {
        Counter.Builder builder = Counter.builder(key.count().meter).description(key.count().description)
                .tag("route", key.route());
        if (key.upstream() != null) {
            builder.tag("upstream", key.upstream());
        }
        return builder.register(registry);
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
