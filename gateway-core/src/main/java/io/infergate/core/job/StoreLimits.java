package io.infergate.core.job;

import java.time.Duration;

/**
 * The bounds of a job store.
 *
 * @param maxJobs            jobs held at once, in every status
 * @param maxBytes           bytes of result bodies held at once
 * @param resultTtl          how long a finished job's result is kept; its document answers {@code expired}
 *                           for as long again
 * @param maxQueuedPerTenant jobs one tenant may have waiting to run
 */
public record StoreLimits(long maxJobs, long maxBytes, Duration resultTtl, int maxQueuedPerTenant) {

    public StoreLimits {
        if (maxJobs < 1 || maxBytes < 1 || maxQueuedPerTenant < 1) {
            throw new IllegalArgumentException("maxJobs, maxBytes and maxQueuedPerTenant must be positive");
        }
        if (resultTtl == null || resultTtl.isNegative() || resultTtl.isZero()) {
            throw new IllegalArgumentException("resultTtl: " + resultTtl + " (expected: > 0)");
        }
    }
}
