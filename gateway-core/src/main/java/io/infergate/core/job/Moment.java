package io.infergate.core.job;

import java.time.Duration;
import java.time.Instant;

/**
 * A point in a job's life read from two clocks: the wall clock, for the timestamps people read, and
 * the monotonic ticker, for durations that a wall clock set back or forward would get wrong.
 */
public record Moment(long epochMillis, long nanoTime) {

    public Instant instant() {
        return Instant.ofEpochMilli(epochMillis);
    }

    /** The time from this moment to {@code later}, on the ticker. */
    public Duration until(Moment later) {
        return Duration.ofNanos(later.nanoTime - nanoTime);
    }
}
