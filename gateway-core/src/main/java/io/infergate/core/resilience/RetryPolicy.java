package io.infergate.core.resilience;

import java.time.Duration;
import java.util.Set;

/**
 * How a route retries within one upstream: at most {@code attempts} tries, exponential backoff with
 * full jitter from {@code backoff} up to {@code maxBackoff}, a retry budget of {@code budgetPercent}
 * of recent requests plus {@code minRetriesPerSecond}, a {@code Retry-After} honoured up to
 * {@code maxRetryAfter}, and the upstream statuses in {@code on} treated as retryable failures.
 */
public record RetryPolicy(int attempts, Duration backoff, Duration maxBackoff, int budgetPercent,
                          int minRetriesPerSecond, Duration maxRetryAfter, Set<Integer> on) {

    public static final RetryPolicy DEFAULTS = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(5), 20, 3,
            Duration.ofSeconds(30), Set.of(500, 502, 503, 504));

    public RetryPolicy {
        if (attempts < 1) {
            throw new IllegalArgumentException("attempts: " + attempts + " (expected: >= 1)");
        }
        on = Set.copyOf(on);
    }

    /**
     * The pause before retry number {@code retry} (1 for the first retry): uniformly random up to
     * {@code backoff * 2^(retry-1)}, capped at {@code maxBackoff}, so that clients that failed
     * together do not come back together.
     */
    public long backoffNanos(int retry, double random) {
        long base = backoff.toNanos();
        long ceiling = maxBackoff.toNanos();
        long exponential = retry >= 62 ? ceiling : Math.min(ceiling, base << Math.max(0, retry - 1));
        if (exponential < 0) {
            exponential = ceiling; // the shift overflowed
        }
        return (long) (random * exponential);
    }
}
