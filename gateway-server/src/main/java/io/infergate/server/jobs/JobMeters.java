package io.infergate.server.jobs;

import io.infergate.core.job.Job;
import io.infergate.core.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The jobs' meters: {@code gateway_jobs_total{status}} (submitted, and each way a job ends),
 * {@code gateway_jobs_queued}, {@code gateway_job_duration_seconds} and
 * {@code gateway_webhook_deliveries_total{outcome}}.
 */
public final class JobMeters {

    private final MeterRegistry registry;
    private final ConcurrentHashMap<String, Counter> byStatus = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Counter> deliveries = new ConcurrentHashMap<>();
    private final AtomicLong queued = new AtomicLong();
    private final Timer duration;

    /** @param longest the longest a job may take (its deadline): the duration's buckets reach that far */
    public JobMeters(MeterRegistry registry, Duration longest) {
        this.registry = registry;
        Gauge.builder(MeterNames.JOBS_QUEUED, queued, AtomicLong::get).description("Jobs waiting to run")
                .register(registry);
        // Micrometer's default buckets end at 30 s, where most jobs have only begun.
        this.duration = Timer.builder(MeterNames.JOB_DURATION).description("Jobs from submission to their end")
                .publishPercentileHistogram().maximumExpectedValue(max(longest, Duration.ofSeconds(30)))
                .register(registry);
        for (String status : new String[] {"submitted", "succeeded", "failed", "cancelled"}) {
            status(status);
        }
        for (String outcome : new String[] {"delivered", "failed"}) {
            delivery(outcome);
        }
    }

    void submitted() {
        status("submitted").increment();
    }

    void finished(Job job) {
        status(job.status().wireName()).increment();
        job.duration().ifPresent(d -> duration.record(d.toNanos(), TimeUnit.NANOSECONDS));
    }

    void delivered(boolean ok) {
        delivery(ok ? "delivered" : "failed").increment();
    }

    void queued(long count) {
        queued.set(count);
    }

    private Counter status(String status) {
        return byStatus.computeIfAbsent(status.toLowerCase(Locale.ROOT), s -> Counter.builder(MeterNames.JOBS)
                .description("Jobs submitted, and how they ended").tag("status", s).register(registry));
    }

    private Counter delivery(String outcome) {
        return deliveries.computeIfAbsent(outcome, o -> Counter.builder(MeterNames.WEBHOOK_DELIVERIES)
                .description("Webhook delivery attempts of finished jobs").tag("outcome", o).register(registry));
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }
}
