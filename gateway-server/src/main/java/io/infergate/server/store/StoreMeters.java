package io.infergate.server.store;

import io.infergate.core.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.BooleanSupplier;

/**
 * The shared store's meters: {@code gateway_store_command_seconds{op}} (round trips, failed ones
 * included), {@code gateway_store_errors_total{op}}, {@code gateway_store_unavailable_total{outcome}}
 * (rate-limit decisions made without the store: {@code allowed} or {@code denied}),
 * {@code gateway_store_leases_taken_over_total} and {@code gateway_store_up}.
 */
public final class StoreMeters {

    /** The commands sent: a rate-limit decision, its settlement, the health probe, and the jobs' steps. */
    static final List<String> OPS = List.of("rate_limit", "rate_limit_settle", "ping", "job_submit", "job_read",
            "job_write", "job_list", "job_claim", "job_renew", "job_tick", "job_counts", "job_webhooks");

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Timer> commands = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> errors = new ConcurrentHashMap<>();
    private final Counter allowed;
    private final Counter denied;
    private final Counter takenOver;

    public StoreMeters(MeterRegistry registry, BooleanSupplier up) {
        this.registry = registry;
        Gauge.builder(MeterNames.STORE_UP, () -> up.getAsBoolean() ? 1 : 0)
                .description("1 while the shared store answers and every connection to it is connected, else 0")
                .register(registry);
        this.allowed = unavailable("allowed");
        this.denied = unavailable("denied");
        this.takenOver = Counter.builder(MeterNames.STORE_LEASES_TAKEN_OVER)
                .description("Running jobs whose lease lapsed, put back in their queue to be run again")
                .register(registry);
        // Every series there from the start, at zero, so rates and alerts need no absent() guards.
        for (String op : OPS) {
            timer(op);
            errors(op);
        }
    }

    void command(String op, long nanos, boolean ok) {
        timer(op).record(nanos, TimeUnit.NANOSECONDS);
        if (!ok) {
            errors(op).increment();
        }
    }

    /** A command that failed without a round trip: there was no connection. */
    void notSent(String op) {
        errors(op).increment();
    }

    private Timer timer(String op) {
        return commands.computeIfAbsent(op, o -> Timer.builder(MeterNames.STORE_COMMAND).description(
                "Round trips to the shared store").tag("op", o).publishPercentileHistogram().register(registry));
    }

    private Counter errors(String op) {
        return errors.computeIfAbsent(op, o -> Counter.builder(MeterNames.STORE_ERRORS)
                .description("Commands to the shared store that failed or timed out").tag("op", o).register(registry));
    }

    void leasesTakenOver(int count) {
        takenOver.increment(count);
    }

    void decidedWithout(boolean allow) {
        (allow ? allowed : denied).increment();
    }

    private Counter unavailable(String outcome) {
        return Counter.builder(MeterNames.STORE_UNAVAILABLE)
                .description("Rate-limit decisions made while the shared store could not be reached")
                .tag("outcome", outcome).register(registry);
    }
}
