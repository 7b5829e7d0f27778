package io.infergate.server.jobs;

import io.infergate.core.config.JobsConfig;
import io.infergate.core.error.GatewayError;
import io.infergate.core.job.CallbackPolicy;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobClock;
import io.infergate.core.job.JobIds;
import io.infergate.core.job.JobPage;
import io.infergate.core.job.JobStatus;
import io.infergate.core.job.JobStore;
import io.infergate.core.job.MemoryJobStore;
import io.infergate.core.job.StoreLimits;
import io.infergate.core.job.SubmitOutcome;
import io.infergate.core.job.WebhookBackoff;
import io.infergate.core.job.WebhookSigner;
import io.infergate.core.route.Route;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;

/**
 * Asynchronous jobs: a request with {@code Prefer: respond-async} is stored and answered at once;
 * it runs through the gateway like any request, with no client connection to lose; its owner
 * collects the result, long-polls for it, or gets a signed webhook. Jobs live in this process
 * ({@link MemoryJobStore}) and are lost on restart.
 */
public final class Jobs implements AutoCloseable {

    /** What became of a submission: the stored job, or why none was stored. */
    public record Submission(Job job, GatewayError refusal, String message) {}

    private final JobsConfig config;
    private final JobStore store;
    private final JobClock clock;
    private final JobPass pass = new JobPass();
    private final JobIds ids;
    private final CallbackPolicy callbacks;
    private final ScheduledExecutorService scheduler;
    private final IntSupplier gatewayPort;
    private final JobMeters meters;
    private volatile JobRunner runner;
    private final WebhookSender webhooks;

    public Jobs(JobsConfig config, JobClock clock, IntSupplier gatewayPort, JobMeters meters) {
        this.config = config;
        this.clock = clock;
        this.gatewayPort = gatewayPort;
        this.meters = meters;
        this.ids = config.jobIds();
        this.store = new MemoryJobStore(new StoreLimits(config.maxJobs(), config.maxBytes(), config.resultTtl(),
                config.maxQueuedPerTenant()), clock.ticker());
        this.callbacks = new CallbackPolicy(config.callbackAllow());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "infergate-jobs");
            thread.setDaemon(true);
            return thread;
        });
        this.webhooks = config.webhookSecret() == null ? null : new WebhookSender(store,
                new WebhookSigner(config.webhookSecret()), WebhookBackoff.of(config.webhookBackoff()),
                config.webhookAttempts(), scheduler, meters);
        scheduler.scheduleAtFixedRate(this::tick, 100, 100, TimeUnit.MILLISECONDS);
    }

    /** Jobs kept now, by status, for the status page. */
    public Map<JobStatus, Long> countByStatus() {
        return store.countByStatus();
    }

    public JobsConfig config() {
        return config;
    }

    public JobPass pass() {
        return pass;
    }

    /**
     * Stores a job for {@code tenant} on {@code route}; it runs when the route has a job slot.
     *
     * @param callbackUrl the client's {@code X-Callback-Url}; null for none
     */
    public Submission submit(String tenant, Route route, String method, String target,
                             List<Map.Entry<String, String>> headers, byte[] body, String callbackUrl) {
        if (callbackUrl != null) {
            if (webhooks == null) {
                return new Submission(null, GatewayError.BAD_REQUEST,
                        "X-Callback-Url: webhooks are off (no jobs.webhookSecretEnv configured)");
            }
            if (!callbacks.allows(callbackUrl)) {
                return new Submission(null, GatewayError.BAD_REQUEST,
                        "X-Callback-Url: not an allowed callback (jobs.callbackAllow)");
            }
        }
        Job job = Job.queued(ids.newId(tenant), tenant, route.name(), method, target, clock.now(), callbackUrl);
        SubmitOutcome outcome = store.submit(job);
        if (!outcome.accepted()) {
            return new Submission(null, GatewayError.QUEUE_FULL, outcome == SubmitOutcome.TENANT_QUEUE_FULL
                    ? "too many jobs waiting for this key (jobs.maxQueuedPerTenant)" : "the job store is full");
        }
        meters.submitted();
        runner().enqueue(job, new JobRequest(method, target, headers, body), route);
        return new Submission(job, null, null);
    }

    /** The running job {@code id} makes an attempt at {@code upstream}: its document shows it at once. */
    public void attempted(String id, String upstream) {
        store.update(id, job -> job.attempt(upstream));
    }

    /** Whether {@code id}, unknown now, is one this gateway (or one with its id key) issued to {@code tenant}. */
    public boolean issued(String tenant, String id) {
        return ids.issued(id, tenant);
    }

    public Optional<Job> get(String tenant, String id) {
        return store.get(tenant, id);
    }

    /** Waits up to {@code wait} (at most {@code jobs.maxWait}) for the job to finish. */
    public Optional<CompletableFuture<Job>> await(String tenant, String id, Duration wait) {
        Duration bounded = wait.compareTo(config.maxWait()) > 0 ? config.maxWait() : wait;
        return store.await(tenant, id, bounded);
    }

    public Optional<Job> cancel(String tenant, String id) {
        return runner().cancel(tenant, id);
    }

    public JobPage list(String tenant, Optional<JobStatus> status, String pageToken, int limit) {
        return store.list(tenant, status, pageToken, limit);
    }

    private JobRunner runner() {
        JobRunner current = runner;
        if (current == null) {
            synchronized (this) {
                if (runner == null) {
                    runner = new JobRunner(store, clock, pass, gatewayPort.getAsInt(), config.maxShare(), this::finished);
                }
                current = runner;
            }
        }
        return current;
    }

    private void finished(Job job) {
        meters.finished(job);
        if (webhooks != null) {
            webhooks.jobFinished(job);
        }
    }

    private void tick() {
        store.onTick();
        meters.queued(store.countByStatus().getOrDefault(JobStatus.QUEUED, 0L));
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        if (runner != null) {
            runner.close();
        }
    }
}
