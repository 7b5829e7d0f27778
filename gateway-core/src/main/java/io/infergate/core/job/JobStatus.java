package io.infergate.core.job;

import java.util.Locale;
import java.util.Optional;

/**
 * Where a job is in its life. A job waits ({@link #QUEUED}), runs, and ends once: with the
 * upstream's answer ({@link #SUCCEEDED}, whatever its HTTP status), with a failure the gateway names
 * ({@link #FAILED}), or at its owner's request ({@link #CANCELLED}). An ended job's result is kept
 * for a while, then dropped, and the job is {@link #EXPIRED}.
 */
public enum JobStatus {
    QUEUED, RUNNING, SUCCEEDED, FAILED, CANCELLED, EXPIRED;

    private final String wireName = name().toLowerCase(Locale.ROOT);

    /** The name in the job document and in {@code ?status=}. */
    public String wireName() {
        return wireName;
    }

    /** Whether the job has ended: nothing will run for it again. */
    public boolean isFinished() {
        return this != QUEUED && this != RUNNING;
    }

    /** Whether a job may go from this status to {@code next}; staying put is allowed, for bookkeeping. */
    public boolean canMoveTo(JobStatus next) {
        if (next == this) {
            return true;
        }
        return switch (this) {
            // A job can fail before it runs: its deadline can end in the admission queue.
            case QUEUED -> next == RUNNING || next == FAILED || next == CANCELLED;
            case RUNNING -> next == SUCCEEDED || next == FAILED || next == CANCELLED;
            case SUCCEEDED, FAILED, CANCELLED -> next == EXPIRED;
            case EXPIRED -> false;
        };
    }

    /** The status with this wire name; empty for any other text. */
    public static Optional<JobStatus> parse(String wireName) {
        for (JobStatus status : values()) {
            if (status.wireName.equals(wireName)) {
                return Optional.of(status);
            }
        }
        return Optional.empty();
    }
}
