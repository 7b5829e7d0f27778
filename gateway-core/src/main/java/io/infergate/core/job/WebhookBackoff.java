package io.infergate.core.job;

import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.DoubleSupplier;

/**
 * How long to wait before the next webhook attempt: exponential from {@code jobs.webhookBackoff}
 * ({@code base}, {@code 2 × base}, {@code 4 × base}, ...), capped, with full jitter: a uniform draw
 * between zero and that ceiling, so the retries of many jobs that failed together (a receiver that
 * was down) do not come back together.
 */
public final class WebhookBackoff {

    /** Past this, a receiver that is down is better served by the next attempt coming at all. */
    public static final Duration DEFAULT_CAP = Duration.ofMinutes(10);

    private final long baseNanos;
    private final long capNanos;
    private final DoubleSupplier random;

    /** @param random uniform draws in [0, 1) */
    public WebhookBackoff(Duration base, Duration cap, DoubleSupplier random) {
        if (base.isNegative() || base.isZero() || cap.compareTo(base) < 0) {
            throw new IllegalArgumentException("base: " + base + ", cap: " + cap + " (expected: 0 < base <= cap)");
        }
        this.baseNanos = base.toNanos();
        this.capNanos = cap.toNanos();
        this.random = random;
    }

    public static WebhookBackoff of(Duration base) {
        return new WebhookBackoff(base, DEFAULT_CAP.compareTo(base) < 0 ? base : DEFAULT_CAP,
                () -> ThreadLocalRandom.current().nextDouble());
    }

    /**
     * The wait after {@code failedAttempts} failed deliveries.
     *
     * @param failedAttempts at least 1
     */
    public Duration delay(int failedAttempts) {
        return Duration.ofNanos((long) (random.getAsDouble() * ceiling(failedAttempts)));
    }

    /** The longest wait after {@code failedAttempts} failed deliveries: {@code base × 2^(n-1)}, capped. */
    public Duration maxDelay(int failedAttempts) {
        return Duration.ofNanos(ceiling(failedAttempts));
    }

    private long ceiling(int failedAttempts) {
        if (failedAttempts < 1) {
            throw new IllegalArgumentException("failedAttempts: " + failedAttempts + " (expected: at least 1)");
        }
        int doublings = failedAttempts - 1;
        if (doublings >= Long.numberOfLeadingZeros(baseNanos)) {
            return capNanos; // base << doublings would overflow: the cap is the smaller
        }
        return Math.min(capNanos, baseNanos << doublings);
    }
}
