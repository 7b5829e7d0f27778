package io.infergate.server.jobs;

import io.infergate.core.metrics.MeterNames;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.distribution.CountAtBucket;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The job duration as Prometheus scrapes it: a histogram whose buckets are what percentiles are computed from. */
class JobMetersTest {

    private static double largestBucketSeconds(Timer timer) {
        return Arrays.stream(timer.takeSnapshot().histogramCounts())
                .mapToDouble(bucket -> bucket.bucket(TimeUnit.SECONDS)).max().orElse(0);
    }

    /** The cumulative count at the first bucket of at least {@code seconds}; 0 when no bucket reaches that far. */
    private static double countUpTo(Timer timer, double seconds) {
        return Arrays.stream(timer.takeSnapshot().histogramCounts())
                .filter(bucket -> bucket.bucket(TimeUnit.SECONDS) >= seconds)
                .mapToDouble(CountAtBucket::count).findFirst().orElse(0);
    }

    @Test
    void theDurationsBucketsReachTheJobsDeadlineSoALongJobIsNotLostPastTheLastOne() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JobMeters(registry, Duration.ofMinutes(10));
        Timer duration = registry.get(MeterNames.JOB_DURATION).timer();
        assertTrue(largestBucketSeconds(duration) >= 600, "largest bucket " + largestBucketSeconds(duration) + " s");

        duration.record(Duration.ofMinutes(4));
        assertEquals(1, countUpTo(duration, 240), "a four-minute job falls in a bucket, not past them all");
        assertEquals(0, countUpTo(duration, 30), "and not in the buckets around 30 s");
    }

    @Test
    void aShortDeadlineStillKeepsTheDefaultThirtySeconds() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JobMeters(registry, Duration.ofSeconds(5));
        assertTrue(largestBucketSeconds(registry.get(MeterNames.JOB_DURATION).timer()) >= 30);
    }
}
