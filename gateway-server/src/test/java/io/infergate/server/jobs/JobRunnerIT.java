package io.infergate.server.jobs;

import io.infergate.core.config.ConfigLoader;
import io.infergate.core.job.Claim;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobClock;
import io.infergate.core.job.JobPage;
import io.infergate.core.job.JobRequest;
import io.infergate.core.job.JobStatus;
import io.infergate.core.job.JobStore;
import io.infergate.core.job.MemoryJobStore;
import io.infergate.core.job.StoreLimits;
import io.infergate.core.job.SubmitOutcome;
import io.infergate.core.route.RouteTable;
import io.infergate.core.store.StoreUnavailableException;
import io.infergate.testing.Await;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The runner against a store that goes away while a job runs (a real socket stands in for the
 * gateway the job's request is sent to): the job's outcome is written again until the store takes
 * it, and given up only when the lease would have lapsed, leaving the job to be taken over.
 */
class JobRunnerIT {

    private static final JobRequest REQUEST = new JobRequest("POST", "/generate", List.of(), "{}".getBytes());

    private final MockWebServer gateway = new MockWebServer();
    private final ScheduledExecutorService scheduler = Executors.newSingleThreadScheduledExecutor();
    private final MemoryJobStore memory = new MemoryJobStore(new StoreLimits(10, 1 << 20, Duration.ofHours(1), 10),
            System::nanoTime);
    private final FlakyStore store = new FlakyStore(memory);
    private final List<Job> finished = new CopyOnWriteArrayList<>();
    private JobRunner runner;

    @BeforeEach
    void start() throws Exception {
        gateway.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                store.down = true; // the store goes away while the job's request is answered
                return new MockResponse.Builder().addHeader("Content-Type", "application/json")
                        .body("{\"generated_text\":\"hi\"}").build();
            }
        });
        gateway.start();
    }

    @AfterEach
    void stop() throws Exception {
        if (runner != null) {
            runner.close();
        }
        scheduler.shutdownNow();
        gateway.close();
    }

    private String runOneJob(Duration lease) throws Exception {
        RouteTable routes = RouteTable.compile(ConfigLoader.load("""
                routes:
                  - { name: chat, match: { pathPrefix: / }, upstreams: [ { name: m, endpoints: [ "http://127.0.0.1:9" ] } ] }
                """, Map.of()));
        JobClock clock = new JobClock(Clock.systemUTC(), System::nanoTime);
        runner = new JobRunner(store, clock, new JobCall(gateway.getPort(), new JobPass()), 1, lease, () -> routes,
                scheduler, finished::add);
        Job job = Job.queued("job_1", "acme", "chat", "POST", "/generate", clock.now(), null);
        assertEquals(SubmitOutcome.ACCEPTED, store.submit(job, REQUEST).toCompletableFuture().join());
        runner.tick();
        Await.until("the job's request was answered and its outcome could not be written", Duration.ofSeconds(10),
                () -> store.refused.get() >= 2);
        return job.id();
    }

    @Test
    void anOutcomeTheStoreCannotTakeIsWrittenAgainUntilItCan() throws Exception {
        String id = runOneJob(Duration.ofSeconds(30));
        assertEquals(JobStatus.RUNNING, status(id));
        store.down = false;
        Await.until("the outcome is written", Duration.ofSeconds(5), () -> status(id) == JobStatus.SUCCEEDED);
        Await.until("the runner lets go of it", Duration.ofSeconds(5), () -> runner.runningCount() == 0);
        assertEquals(1, finished.size());
    }

    @Test
    void anOutcomeIsGivenUpWhenTheLeaseWouldLapseAndTheJobIsThenTakenOver() throws Exception {
        String id = runOneJob(Duration.ofSeconds(1));
        Await.until("the runner gives up as its lease lapses", Duration.ofSeconds(5), () -> runner.runningCount() == 0);
        store.down = false;
        assertEquals(JobStatus.RUNNING, status(id), "nothing written: it will run again");
        Await.until("the lapsed lease is taken over", Duration.ofSeconds(5),
                () -> memory.onTick().toCompletableFuture().join() == 1);
        assertEquals(List.of(), finished);
    }

    private JobStatus status(String id) {
        return memory.get("acme", id).toCompletableFuture().join().map(Job::status).orElse(null);
    }

    /** The memory store, unreachable while {@code down}: its updates and renewals fail as a shared store's would. */
    private static final class FlakyStore implements JobStore {
        final MemoryJobStore store;
        final AtomicInteger refused = new AtomicInteger();
        volatile boolean down;

        FlakyStore(MemoryJobStore store) {
            this.store = store;
        }

        private <T> CompletionStage<T> unlessDown(java.util.function.Supplier<CompletionStage<T>> call) {
            if (down) {
                refused.incrementAndGet();
                return CompletableFuture.failedFuture(new StoreUnavailableException("down", null));
            }
            return call.get();
        }

        @Override
        public CompletionStage<SubmitOutcome> submit(Job job, JobRequest request) {
            return store.submit(job, request);
        }

        @Override
        public CompletionStage<Optional<Job>> get(String tenant, String id) {
            return store.get(tenant, id);
        }

        @Override
        public CompletionStage<JobPage> list(String tenant, Optional<JobStatus> status, String pageToken, int limit) {
            return store.list(tenant, status, pageToken, limit);
        }

        @Override
        public CompletionStage<Optional<Job>> update(String id, Function<Job, Optional<Job>> transition) {
            return unlessDown(() -> store.update(id, transition));
        }

        @Override
        public CompletionStage<Optional<Job>> await(String tenant, String id, Duration wait) {
            return store.await(tenant, id, wait);
        }

        @Override
        public CompletionStage<List<Claim>> claim(String owner, Map<String, Integer> slots, Duration lease) {
            return store.claim(owner, slots, lease);
        }

        @Override
        public CompletionStage<Boolean> renew(String id, String owner, Duration lease) {
            return unlessDown(() -> store.renew(id, owner, lease));
        }

        @Override
        public CompletionStage<List<Job>> dueWebhooks(Duration hold, int max) {
            return store.dueWebhooks(hold, max);
        }

        @Override
        public CompletionStage<Void> webhookDueIn(String id, Duration delay) {
            return store.webhookDueIn(id, delay);
        }

        @Override
        public CompletionStage<Map<JobStatus, Long>> countByStatus() {
            return store.countByStatus();
        }

        @Override
        public CompletionStage<Integer> onTick() {
            return store.onTick();
        }
    }
}
