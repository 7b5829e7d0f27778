package io.infergate.core.job;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Where jobs are kept while they wait, run, and for a while after they end, and the queue runners
 * take them from. The embedded {@link MemoryJobStore} keeps them in the gateway's memory; a store
 * shared by several gateway instances (Redis) takes its place when configured, which is why every
 * call is asynchronous (a round trip that must never hold an event loop) and every job goes in and
 * out as a {@link Job} snapshot. A stage fails with
 * {@link io.infergate.core.store.StoreUnavailableException} when a shared store cannot be reached.
 * <p>
 * A job belongs to its tenant: every read takes the tenant, and another tenant's job is not there
 * (the server answers 404, not 403, so that an id reveals nothing). Only the gateway's own runner,
 * which knows the jobs it runs, updates by id alone.
 * <p>
 * A runner {@link #claim claims} queued jobs under a lease and {@link #renew renews} it while the job
 * runs; a job whose lease lapses (its gateway died) goes back to the front of its route's queue, and
 * another runner takes it over and runs it again. A finished job is never run again: its result, or
 * its cancellation, stays.
 */
public interface JobStore {

    /**
     * Stores a new {@link JobStatus#QUEUED} job and the request it will run, unless its tenant has as
     * many jobs waiting as it may, or the store is full of jobs that are waiting or running.
     *
     * @throws IllegalArgumentException if the job is not queued
     */
    CompletionStage<SubmitOutcome> submit(Job job, JobRequest request);

    /** The tenant's job with this id; empty for an unknown id and for another tenant's. */
    CompletionStage<Optional<Job>> get(String tenant, String id);

    /**
     * A page of the tenant's jobs, newest first.
     *
     * @param status    only jobs in this status; empty for all
     * @param pageToken a previous page's {@link JobPage#nextPageToken()}; null for the first page
     * @param limit     the most jobs on the page, at least 1
     * @throws IllegalArgumentException for a page token this store did not make, or a limit below 1
     */
    CompletionStage<JobPage> list(String tenant, Optional<JobStatus> status, String pageToken, int limit);

    /**
     * Replaces the job with what {@code transition} makes of it, atomically: {@code transition} sees
     * the job as it is now (a shared store may call it again if the job changed meanwhile). Refused
     * (empty) when the job is not stored, when the transition answers empty, and when its answer is
     * not one the job may become ({@link Job#mayBecome}).
     *
     * @return the job as stored after the change
     */
    CompletionStage<Optional<Job>> update(String id, Function<Job, Optional<Job>> transition);

    /**
     * Waits for the tenant's job to finish, for a long poll: completes with the job once it has
     * finished, whichever gateway ran it, at once if it already has, or with the job as it stands
     * when {@code wait} has passed (seen by {@link #onTick()}). The caller bounds {@code wait}.
     *
     * @return empty for an unknown id and for another tenant's
     */
    CompletionStage<Optional<Job>> await(String tenant, String id, Duration wait);

    /**
     * Takes up to {@code slots.get(route)} jobs from the front of each route's queue for
     * {@code owner}, under a lease of {@code lease}. A queued job is still queued: the runner starts
     * it ({@link #update}); a job taken over from a runner whose lease lapsed is still running.
     */
    CompletionStage<List<Claim>> claim(String owner, Map<String, Integer> slots, Duration lease);

    /**
     * Extends {@code owner}'s lease on a running job. False when the job is no longer the owner's to
     * run: it finished (cancelled, most likely) or, its lease having lapsed, was taken over.
     */
    CompletionStage<Boolean> renew(String id, String owner, Duration lease);

    /**
     * Finished jobs whose webhook is due, each held for {@code hold} so that no other runner
     * delivers it meanwhile; a delivery that fails is due again after {@link #webhookDueIn}.
     */
    CompletionStage<List<Job>> dueWebhooks(Duration hold, int max);

    /** The job's pending webhook is due again after {@code delay}. */
    CompletionStage<Void> webhookDueIn(String id, Duration delay);

    /** How many jobs are held in each status, every status present; for gauges and the status page. */
    CompletionStage<Map<JobStatus, Long>> countByStatus();

    /**
     * Ends the waits whose time is up, lets go of expired results, and puts the jobs whose lease
     * lapsed back in their queue; the server calls it from a timer.
     *
     * @return how many leases lapsed and were put back to be taken over
     */
    CompletionStage<Integer> onTick();
}
