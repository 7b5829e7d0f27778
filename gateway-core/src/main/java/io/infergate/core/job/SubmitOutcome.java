package io.infergate.core.job;

/** What {@link JobStore#submit} made of a new job. */
public enum SubmitOutcome {
    /** The job is stored and queued. */
    ACCEPTED,
    /** The tenant already has {@code jobs.maxQueuedPerTenant} jobs waiting: {@code 429 queue_full}. */
    TENANT_QUEUE_FULL,
    /** Every place in the store is taken by a job that is queued or running: {@code 429 queue_full}. */
    STORE_FULL,
    /** A job with this id is already stored: a bug in the caller, never a client's doing. */
    DUPLICATE_ID;

    public boolean accepted() {
        return this == ACCEPTED;
    }
}
