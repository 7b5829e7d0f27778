package io.infergate.core.job;

import java.time.Duration;
import java.util.Optional;

/**
 * One job as it stands: an immutable snapshot. A change makes a new snapshot through one of the
 * transitions below, which answer empty when the job's status does not allow it (a cancel that
 * comes after the result, a second start), so a race between the runner, the owner and the store
 * is settled by whoever comes first and never throws. {@link JobStore#update} applies a transition
 * atomically.
 * <p>
 * The legal moves are those of {@link JobStatus#canMoveTo}: queued to running, failed or cancelled;
 * running to succeeded, failed or cancelled; an ended job to expired, which drops its result and
 * error. A finished job still records how its webhook is delivered.
 *
 * @param method    the request's method, as the client sent it
 * @param path      the request's path and query, as the client sent it
 * @param startedAt when it began running; null until then, and for a job that never ran
 * @param finishedAt when it ended; null until then
 * @param upstream  the upstream of its latest attempt; null before the first
 * @param attempts  attempts made at an upstream, retries and fallbacks included
 * @param result    the upstream's answer; only when {@link JobStatus#SUCCEEDED}
 * @param error     why it failed; only when {@link JobStatus#FAILED}
 * @param webhook   its callback; null when the client asked for none
 */
public record Job(String id, String tenant, String route, String method, String path, JobStatus status,
                  Moment createdAt, Moment startedAt, Moment finishedAt, String upstream, int attempts,
                  JobResult result, JobError error, Webhook webhook) {

    public Job {
        if (id == null || tenant == null || route == null || method == null || path == null || status == null
                || createdAt == null || attempts < 0) {
            throw new IllegalArgumentException("a job needs an id, a tenant, a route, a request, a status and a"
                    + " creation time");
        }
        boolean mustHaveStarted = status == JobStatus.RUNNING || status == JobStatus.SUCCEEDED;
        if (status == JobStatus.QUEUED ? startedAt != null : mustHaveStarted && startedAt == null) {
            throw new IllegalArgumentException("startedAt: " + (startedAt == null ? "required" : "not allowed")
                    + " when " + status.wireName());
        }
        if ((finishedAt != null) != status.isFinished()) {
            throw new IllegalArgumentException("finishedAt: set exactly when the job has finished, not when "
                    + status.wireName());
        }
        if ((result != null) != (status == JobStatus.SUCCEEDED)) {
            throw new IllegalArgumentException("result: present exactly when the job succeeded, not when "
                    + status.wireName());
        }
        if ((error != null) != (status == JobStatus.FAILED)) {
            throw new IllegalArgumentException("error: present exactly when the job failed, not when "
                    + status.wireName());
        }
    }

    /**
     * A new job, waiting to run.
     *
     * @param callbackUrl where to POST its document when it ends; null for no webhook
     */
    public static Job queued(String id, String tenant, String route, String method, String path, Moment createdAt,
                             String callbackUrl) {
        return new Job(id, tenant, route, method, path, JobStatus.QUEUED, createdAt, null, null, null, 0,
                null, null, callbackUrl == null ? null : Webhook.pending(callbackUrl));
    }

    /** Queued to running. */
    public Optional<Job> start(Moment at) {
        return status != JobStatus.QUEUED ? Optional.empty() : Optional.of(new Job(id, tenant, route, method, path,
                JobStatus.RUNNING, createdAt, at, null, upstream, attempts, null, null, webhook));
    }

    /** One more attempt, at {@code upstreamName}, while running: a retry or a fallback counts. */
    public Optional<Job> attempt(String upstreamName) {
        return status != JobStatus.RUNNING ? Optional.empty() : Optional.of(new Job(id, tenant, route, method, path,
                status, createdAt, startedAt, null, upstreamName, attempts + 1, null, null, webhook));
    }

    /** Running to succeeded, with the upstream's answer, whatever its status. */
    public Optional<Job> succeed(Moment at, JobResult answer) {
        return status != JobStatus.RUNNING || answer == null ? Optional.empty() : Optional.of(new Job(id, tenant,
                route, method, path, JobStatus.SUCCEEDED, createdAt, startedAt, at, upstream, attempts, answer, null,
                webhook));
    }

    /** Queued or running to failed, for a failure the gateway names. */
    public Optional<Job> fail(Moment at, JobError why) {
        return status.isFinished() || why == null ? Optional.empty() : Optional.of(new Job(id, tenant, route, method,
                path, JobStatus.FAILED, createdAt, startedAt, at, upstream, attempts, null, why, webhook));
    }

    /** Queued or running to cancelled, at its owner's request. */
    public Optional<Job> cancel(Moment at) {
        return status.isFinished() ? Optional.empty() : Optional.of(new Job(id, tenant, route, method, path,
                JobStatus.CANCELLED, createdAt, startedAt, at, upstream, attempts, null, null, webhook));
    }

    /** Ended to expired: the result and the error are dropped, the rest is kept. */
    public Optional<Job> expire() {
        return !status.isFinished() || status == JobStatus.EXPIRED ? Optional.empty()
                : Optional.of(new Job(id, tenant, route, method, path, JobStatus.EXPIRED, createdAt, startedAt,
                        finishedAt, upstream, attempts, null, null, webhook));
    }

    /** The webhook was delivered; only once the job has finished and while the delivery is pending. */
    public Optional<Job> webhookDelivered() {
        return webhookPending() ? Optional.of(withWebhook(webhook.delivered())) : Optional.empty();
    }

    /** A webhook attempt failed; after the {@code maxAttempts}th, delivery is given up. */
    public Optional<Job> webhookFailed(String why, int maxAttempts) {
        return webhookPending() ? Optional.of(withWebhook(webhook.failed(why, maxAttempts))) : Optional.empty();
    }

    /**
     * Whether this job may be replaced by {@code after}: the same job (a transition changes its
     * state, never who it is) in a status this one can move to.
     */
    public boolean mayBecome(Job after) {
        return id.equals(after.id) && tenant.equals(after.tenant) && route.equals(after.route)
                && method.equals(after.method) && path.equals(after.path) && createdAt.equals(after.createdAt)
                && status.canMoveTo(after.status);
    }

    /** Whether its webhook waits to be delivered: the job has ended and the delivery is pending. */
    public boolean webhookDue() {
        return webhookPending();
    }

    /** From creation to the end; empty while the job has not finished. */
    public Optional<Duration> duration() {
        return finishedAt == null ? Optional.empty() : Optional.of(createdAt.until(finishedAt));
    }

    private boolean webhookPending() {
        return status.isFinished() && webhook != null && webhook.delivery() == Webhook.Delivery.PENDING;
    }

    private Job withWebhook(Webhook next) {
        return new Job(id, tenant, route, method, path, status, createdAt, startedAt, finishedAt, upstream, attempts,
                result, error, next);
    }
}
