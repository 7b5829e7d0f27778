package io.infergate.core.job;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/**
 * Where jobs are kept while they wait, run, and for a while after they end. The embedded
 * {@link MemoryJobStore} keeps them in the gateway's memory; a store shared by several gateway
 * instances (Redis) can take its place, which is why nothing here names an in-memory type and every
 * job goes in and out as a {@link Job} snapshot.
 * <p>
 * A job belongs to its tenant: every read takes the tenant, and another tenant's job is not there
 * (the server answers 404, not 403, so that an id reveals nothing). Only the gateway's own runner,
 * which knows the jobs it runs, updates by id alone.
 */
public interface JobStore {

    /**
     * Stores a new {@link JobStatus#QUEUED} job, unless its tenant has as many jobs waiting as it may,
     * or the store is full of jobs that are waiting or running.
     *
     * @throws IllegalArgumentException if the job is not queued
     */
    SubmitOutcome submit(Job job);

    /** The tenant's job with this id; empty for an unknown id and for another tenant's. */
    Optional<Job> get(String tenant, String id);

    /**
     * A page of the tenant's jobs, newest first.
     *
     * @param status    only jobs in this status; empty for all
     * @param pageToken a previous page's {@link JobPage#nextPageToken()}; null for the first page
     * @param limit     the most jobs on the page, at least 1
     * @throws IllegalArgumentException for a page token this store did not make, or a limit below 1
     */
    JobPage list(String tenant, Optional<JobStatus> status, String pageToken, int limit);

    /**
     * Replaces the job with what {@code transition} makes of it, atomically: {@code transition} sees
     * the job as it is now and runs once. Refused (empty) when the job is not stored, when the
     * transition answers empty, and when its answer is another job or a status the job cannot move
     * to ({@link JobStatus#canMoveTo}).
     *
     * @return the job as stored after the change
     */
    Optional<Job> update(String id, Function<Job, Optional<Job>> transition);

    /**
     * Waits for the tenant's job to finish, for a long poll. The future completes with the job once
     * it has finished, at once if it already has, or with the job as it stands when {@code wait}
     * has passed (seen by {@link #onTick()}). The caller bounds {@code wait}. Cancelling the future
     * (a client that left) ends the wait.
     *
     * @return empty for an unknown id and for another tenant's
     */
    Optional<CompletableFuture<Job>> await(String tenant, String id, Duration wait);

    /** How many of the tenant's jobs are waiting to run. */
    int queuedCount(String tenant);

    /** How many jobs are held in each status, every status present; for gauges. */
    Map<JobStatus, Long> countByStatus();

    /** Ends the waits whose time is up and lets go of expired results; the server calls it from a timer. */
    void onTick();
}
