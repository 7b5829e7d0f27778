package io.infergate.server.jobs;

import io.infergate.core.Ticker;
import io.infergate.core.error.GatewayError;
import io.infergate.core.job.Claim;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobClock;
import io.infergate.core.job.JobError;
import io.infergate.core.job.JobStatus;
import io.infergate.core.job.JobStore;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * Runs jobs from the store's queues: on each tick it claims, for every route with a job slot free,
 * the jobs at the front of the route's queue, under a lease it renews every third of the lease while
 * they run. At most {@code jobs.maxShare} of a route's slots on this gateway run jobs at once, so
 * interactive traffic keeps its headroom, on every gateway sharing the store.
 * <p>
 * A job's result that cannot be written (the store unreachable) is tried again until the lease would
 * lapse; after that another gateway takes the job over. A renewal refused means the job is no longer
 * this gateway's (cancelled, or taken over): its request is closed. A gateway that stops leaves its
 * running jobs' leases to lapse, so that they run again elsewhere or after its restart.
 * <p>
 * A route a reload removed may still have jobs waiting in its queue: they are claimed, a few a tick,
 * and sent as they are, like any job's request, so each runs on the route that now takes its path or
 * fails as that request would now ({@code no_route}), rather than waiting for a route that is gone.
 */
final class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final Duration RETRY_WRITE = Duration.ofMillis(250);
    /** Jobs claimed a tick from the queue of a route a reload removed. */
    private static final int RETIRED_BATCH = 4;

    private final JobStore store;
    private final JobClock clock;
    private final JobCall call;
    private final double maxShare;
    private final Duration lease;
    private final Supplier<RouteTable> routes;
    private final Consumer<Job> finished;
    private final ScheduledExecutorService scheduler;
    private final Ticker ticker;
    /** This gateway, as a lease holder. */
    private final String owner = UUID.randomUUID().toString();
    private final Map<String, Run> running = new ConcurrentHashMap<>();
    private final AtomicBoolean claiming = new AtomicBoolean();
    /** Routes seen at the last tick; written only by a tick, one at a time. */
    private Set<String> known = Set.of();
    /** Routes a reload removed, whose queues may still hold jobs. */
    private final Set<String> retired = ConcurrentHashMap.newKeySet();
    private volatile boolean closed;

    /** A job running here: its route, its request once sent, and until when its lease is known to hold. */
    private static final class Run {
        final Job job;
        volatile CompletableFuture<HttpResponse<byte[]>> request;
        volatile long leaseUntil;
        volatile boolean lost;

        Run(Job job, long leaseUntil) {
            this.job = job;
            this.leaseUntil = leaseUntil;
        }
    }

    /** @param finished told of every job that ends here, for its meters */
    JobRunner(JobStore store, JobClock clock, JobCall call, double maxShare, Duration lease,
              Supplier<RouteTable> routes, ScheduledExecutorService scheduler, Consumer<Job> finished) {
        this.store = store;
        this.clock = clock;
        this.call = call;
        this.maxShare = maxShare;
        this.lease = lease;
        this.routes = routes;
        this.scheduler = scheduler;
        this.finished = finished;
        this.ticker = clock.ticker();
        long renewEvery = Math.max(1, lease.toMillis() / 3);
        scheduler.scheduleAtFixedRate(this::renewAll, renewEvery, renewEvery, TimeUnit.MILLISECONDS);
    }

    /** Claims what fits on the routes with a job slot free; one claim at a time. */
    void tick() {
        // The free slots are counted inside the claim, and the claim ends once its jobs are running:
        // a tick on another thread (a submission's) never counts slots a claim is still filling.
        if (closed || !claiming.compareAndSet(false, true)) {
            return;
        }
        Map<String, Integer> free = freeSlots();
        if (free.isEmpty()) {
            claiming.set(false);
            return;
        }
        long leaseUntil = ticker.nanoTime() + lease.toNanos();
        store.claim(owner, free, lease).whenComplete((claims, failure) -> {
            if (claims != null) {
                claims.forEach(claim -> start(claim, leaseUntil));
                // A removed route's queue that gave nothing is empty: it is not asked again.
                retired.removeIf(route -> free.containsKey(route)
                        && claims.stream().noneMatch(claim -> claim.job().route().equals(route)));
            }
            claiming.set(false);
        });
    }

    private Map<String, Integer> freeSlots() {
        Map<String, Integer> busy = new HashMap<>();
        running.values().forEach(run -> busy.merge(run.job.route(), 1, Integer::sum));
        Map<String, Integer> free = new HashMap<>();
        Set<String> current = new HashSet<>();
        for (Route route : routes.get().routes()) {
            current.add(route.name());
            int slots = Math.max(1, (int) Math.floor(maxShare * route.loadView().slots()));
            int left = slots - busy.getOrDefault(route.name(), 0);
            if (left > 0) {
                free.put(route.name(), left);
            }
        }
        known.stream().filter(route -> !current.contains(route)).forEach(retired::add);
        retired.removeAll(current); // added back by a later reload
        known = current;
        for (String route : retired) {
            int left = RETIRED_BATCH - busy.getOrDefault(route, 0);
            if (left > 0) {
                free.put(route, left);
            }
        }
        return free;
    }

    /** A claimed job starts (a job taken over is running already) and its request is sent. */
    private void start(Claim claim, long leaseUntil) {
        Run run = new Run(claim.job(), leaseUntil);
        running.put(claim.job().id(), run);
        store.update(claim.job().id(), j -> j.status() == JobStatus.QUEUED ? j.start(clock.now()) : Optional.of(j))
                .whenComplete((started, failure) -> {
                    if (started == null || started.isEmpty() || closed) {
                        // Cancelled while it waited, or the store could not be told: its lease lapses.
                        running.remove(claim.job().id());
                        return;
                    }
                    run.request = call.send(started.get(), claim.request());
                    run.request.whenComplete((answer, error) -> ended(run, answer, error));
                });
    }

    private void ended(Run run, HttpResponse<byte[]> answer, Throwable failure) {
        if (closed || run.lost) {
            running.remove(run.job.id());
            return; // stopping: the lease lapses and the job runs again; lost: no longer ours
        }
        write(run, answer == null
                ? j -> j.fail(clock.now(), JobError.of(GatewayError.UPSTREAM_RESET,
                        "the job's request ended without an answer: " + failure))
                : j -> call.record(j, answer, clock.now()));
    }

    /** Writes a run's outcome, again and again while the store cannot be reached and the lease holds. */
    private void write(Run run, Function<Job, Optional<Job>> outcome) {
        store.update(run.job.id(), outcome).whenComplete((after, failure) -> {
            if (failure == null) {
                running.remove(run.job.id());
                after.ifPresent(finished);
            } else if (!closed && ticker.nanoTime() + RETRY_WRITE.toNanos() - run.leaseUntil < 0) {
                scheduler.schedule(() -> write(run, outcome), RETRY_WRITE.toMillis(), TimeUnit.MILLISECONDS);
            } else {
                running.remove(run.job.id());
                log.warn("job {}: its outcome could not be stored before its lease lapsed ({}); it will run again",
                        run.job.id(), failure.getMessage());
            }
        });
    }

    private void renewAll() {
        for (Run run : running.values()) {
            long renewedUntil = ticker.nanoTime() + lease.toNanos();
            store.renew(run.job.id(), owner, lease).whenComplete((ours, failure) -> {
                if (Boolean.TRUE.equals(ours)) {
                    run.leaseUntil = renewedUntil;
                } else if (Boolean.FALSE.equals(ours)) {
                    lose(run);
                }
                // A renewal the store could not take leaves the lease as it was known.
            });
        }
    }

    /** The job is no longer this gateway's to run: cancelled, or taken over. */
    private void lose(Run run) {
        run.lost = true;
        CompletableFuture<HttpResponse<byte[]>> request = run.request;
        if (request != null) {
            request.cancel(true);
        }
    }

    /** The job was cancelled by its owner: if it runs here, its request is closed now (the gateway then closes the upstream's). */
    void cancelled(String id) {
        Run run = running.get(id);
        if (run != null) {
            lose(run);
        }
    }

    /** Jobs running here, for a test or a gauge. */
    int runningCount() {
        return running.size();
    }

    void close() {
        closed = true;
        List<Run> stopping = List.copyOf(running.values());
        stopping.forEach(run -> {
            CompletableFuture<HttpResponse<byte[]>> request = run.request;
            if (request != null) {
                request.cancel(true);
            }
        });
        log.debug("job runner closed with {} jobs running", stopping.size());
    }
}
