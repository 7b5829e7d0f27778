package io.infergate.server.jobs;

import io.infergate.core.config.JobsConfig;
import io.infergate.core.error.GatewayError;
import io.infergate.core.job.CallbackPolicy;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobClock;
import io.infergate.core.job.JobIds;
import io.infergate.core.job.JobPage;
import io.infergate.core.job.JobRequest;
import io.infergate.core.job.JobStatus;
import io.infergate.core.job.JobStore;
import io.infergate.core.job.SubmitOutcome;
import io.infergate.core.job.WebhookBackoff;
import io.infergate.core.job.WebhookSigner;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.Ticker;
import io.infergate.server.store.Stores;

import java.time.Clock;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * Asynchronous jobs: a request with {@code Prefer: respond-async} is stored and answered at once;
 * it runs through the gateway like any request, with no client connection to lose; its owner
 * collects the result, long-polls for it, or gets a signed webhook. Jobs live in this process, or on
 * the shared store ({@code store.redis}), where every gateway on it may run them and a job outlives
 * the gateway that took it. Every call answers later, on a thread of the store's: callers bring the
 * answer back to their own loop.
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
    private final Supplier<RouteTable> routes;
    private final JobMeters meters;
    private final WebhookSender webhooks;
    private volatile JobRunner runner;
    private volatile Map<JobStatus, Long> counts = zeroCounts();
    /** Jobs are counted every this many ticks: about twice a second. */
    private final int countEvery;
    private long ticks;

    /**
     * @param gatewayPort the port the gateway listens on; 0 until it does
     * @param tickEvery   how often the store is asked for what is due: claims, lapsed leases, webhooks
     */
    public Jobs(JobsConfig config, JobStore store, JobClock clock, IntSupplier gatewayPort, Supplier<RouteTable> routes,
                JobMeters meters, Duration tickEvery) {
        this.config = config;
        this.store = store;
        this.clock = clock;
        this.gatewayPort = gatewayPort;
        this.routes = routes;
        this.meters = meters;
        this.ids = config.jobIds();
        this.countEvery = (int) Math.max(1, 500 / Math.max(1, tickEvery.toMillis()));
        this.callbacks = new CallbackPolicy(config.callbackAllow());
        this.scheduler = Executors.newSingleThreadScheduledExecutor(runnable -> {
            Thread thread = new Thread(runnable, "infergate-jobs");
            thread.setDaemon(true);
            return thread;
        });
        this.webhooks = config.webhookSecret() == null ? null : new WebhookSender(store,
                new WebhookSigner(config.webhookSecret()), WebhookBackoff.of(config.webhookBackoff()),
                config.webhookAttempts(), meters);
        scheduler.scheduleAtFixedRate(this::tick, tickEvery.toMillis(), tickEvery.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Jobs on the store {@code stores} keeps them in: a shared store is asked less often, every quarter second. */
    public static Jobs open(JobsConfig config, Stores stores, Ticker ticker, IntSupplier gatewayPort,
                            Supplier<RouteTable> routes, JobMeters meters) {
        JobClock clock = stores.jobClock(Clock.systemUTC(), ticker);
        return new Jobs(config, stores.jobStore(config.storeLimits(), clock), clock, gatewayPort, routes, meters,
                Duration.ofMillis(stores.redis().isPresent() ? 250 : 100));
    }

    /** Jobs kept, by status, as last counted, for the status page. */
    public Map<JobStatus, Long> countByStatus() {
        return counts;
    }

    public JobsConfig config() {
        return config;
    }

    public JobPass pass() {
        return pass;
    }

    /**
     * Stores a job for {@code tenant} on {@code route}; it runs when a gateway has a job slot for it.
     * Fails with a {@link io.infergate.core.store.StoreUnavailableException} when the store cannot be reached.
     *
     * @param callbackUrl the client's {@code X-Callback-Url}; null for none
     */
    public CompletionStage<Submission> submit(String tenant, Route route, JobRequest request, String callbackUrl) {
        if (callbackUrl != null) {
            if (webhooks == null) {
                return CompletableFuture.completedFuture(new Submission(null, GatewayError.BAD_REQUEST,
                        "X-Callback-Url: webhooks are off (no jobs.webhookSecretEnv configured)"));
            }
            if (!callbacks.allows(callbackUrl)) {
                return CompletableFuture.completedFuture(new Submission(null, GatewayError.BAD_REQUEST,
                        "X-Callback-Url: not an allowed callback (jobs.callbackAllow)"));
            }
        }
        Job job = Job.queued(ids.newId(tenant), tenant, route.name(), request.method(), request.target(), clock.now(),
                callbackUrl);
        return store.submit(job, request).thenApply(outcome -> {
            if (!outcome.accepted()) {
                return new Submission(null, GatewayError.QUEUE_FULL, outcome == SubmitOutcome.TENANT_QUEUE_FULL
                        ? "too many jobs waiting for this key (jobs.maxQueuedPerTenant)" : "the job store is full");
            }
            meters.submitted();
            try {
                scheduler.execute(this::claim); // this gateway may run it at once
            } catch (RejectedExecutionException stopping) {
                // The gateway stops: the job waits in the store for the next to claim it.
            }
            return new Submission(job, null, null);
        });
    }

    /** The running job {@code id} makes an attempt at {@code upstream}: its document shows it. */
    public void attempted(String id, String upstream) {
        store.update(id, job -> job.attempt(upstream));
    }

    /** Whether {@code id}, unknown now, is one this gateway (or one with its id key) issued to {@code tenant}. */
    public boolean issued(String tenant, String id) {
        return ids.issued(id, tenant);
    }

    public CompletionStage<Optional<Job>> get(String tenant, String id) {
        return store.get(tenant, id);
    }

    /** Waits up to {@code wait} (at most {@code jobs.maxWait}) for the job to finish. */
    public CompletionStage<Optional<Job>> await(String tenant, String id, Duration wait) {
        Duration bounded = wait.compareTo(config.maxWait()) > 0 ? config.maxWait() : wait;
        return store.await(tenant, id, bounded);
    }

    /**
     * Cancels a job of {@code tenant}: it stays cancelled, a queued one never runs, a running one has
     * its request closed (at once here, at its gateway's next renewal elsewhere). A finished job is
     * answered as it is; empty when there is no such job.
     */
    public CompletionStage<Optional<Job>> cancel(String tenant, String id) {
        return store.get(tenant, id).thenCompose(job -> job.isEmpty() ? CompletableFuture.completedFuture(job)
                : store.update(id, j -> j.cancel(clock.now())).thenApply(cancelled -> {
                    if (cancelled.isEmpty()) {
                        return job; // already finished: nothing to cancel, the document says so
                    }
                    JobRunner current = runner;
                    if (current != null) {
                        current.cancelled(id);
                    }
                    meters.finished(cancelled.get());
                    return cancelled;
                }));
    }

    public CompletionStage<JobPage> list(String tenant, Optional<JobStatus> status, String pageToken, int limit) {
        return store.list(tenant, status, pageToken, limit);
    }

    private void tick() {
        store.onTick();
        // Claims only while jobs wait or run (a running job may be taken over and wait again), as last
        // counted, or just after one was submitted here: an idle shared store is not asked.
        Map<JobStatus, Long> last = counts;
        if (last.getOrDefault(JobStatus.QUEUED, 0L) + last.getOrDefault(JobStatus.RUNNING, 0L) > 0) {
            claim();
        }
        if (webhooks != null) {
            webhooks.tick();
        }
        if (ticks++ % countEvery == 0) {
            store.countByStatus().thenAccept(now -> {
                counts = now;
                meters.queued(now.getOrDefault(JobStatus.QUEUED, 0L));
            });
        }
    }

    private void claim() {
        JobRunner current = runner();
        if (current != null) {
            current.tick();
        }
    }

    /** The runner, once the gateway listens (its jobs are sent to it). */
    private JobRunner runner() {
        JobRunner current = runner;
        if (current == null && gatewayPort.getAsInt() > 0) {
            synchronized (this) {
                if (runner == null) {
                    runner = new JobRunner(store, clock, new JobCall(gatewayPort.getAsInt(), pass), config.maxShare(),
                            config.lease(), routes, scheduler, this::finished);
                }
                current = runner;
            }
        }
        return current;
    }

    /** A job ended here: its slot is free for the next. */
    private void finished(Job job) {
        meters.finished(job);
        claim();
    }

    private static Map<JobStatus, Long> zeroCounts() {
        Map<JobStatus, Long> zero = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            zero.put(status, 0L);
        }
        return Collections.unmodifiableMap(zero);
    }

    @Override
    public void close() {
        scheduler.shutdownNow();
        if (runner != null) {
            runner.close();
        }
    }
}
