package io.infergate.core.job;

import io.infergate.core.FakeTicker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static io.infergate.core.job.JobFixtures.FINISHED;
import static io.infergate.core.job.JobFixtures.OK;
import static io.infergate.core.job.JobFixtures.STARTED;
import static io.infergate.core.job.JobFixtures.TIMED_OUT;
import static io.infergate.core.job.JobFixtures.queued;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class MemoryJobStoreTest {

    private static final Duration TTL = Duration.ofMinutes(10);
    private static final Duration NANO = Duration.ofNanos(1);

    private final FakeTicker ticker = new FakeTicker();

    private BlockingStore store(long maxJobs, long maxBytes, int maxQueuedPerTenant) {
        return new BlockingStore(new MemoryJobStore(new StoreLimits(maxJobs, maxBytes, TTL, maxQueuedPerTenant), ticker));
    }

    private BlockingStore store() {
        return store(100, 1 << 20, 10);
    }

    private static Job submitted(BlockingStore store, String id, String tenant) {
        Job job = queued(id, tenant);
        assertEquals(SubmitOutcome.ACCEPTED, store.submit(job));
        return job;
    }

    private static Job finish(BlockingStore store, String id, JobResult result) {
        store.update(id, job -> job.start(STARTED)).orElseThrow();
        return store.update(id, job -> job.succeed(FINISHED, result)).orElseThrow();
    }

    private static JobStatus status(BlockingStore store, String tenant, String id) {
        return store.get(tenant, id).map(Job::status).orElse(null);
    }

    @Test
    void aSubmittedJobIsThereForItsTenantAsSubmitted() {
        BlockingStore store = store();
        Job job = submitted(store, "job_a", "acme");

        assertEquals(Optional.of(job), store.get("acme", "job_a"));
        assertEquals(Optional.empty(), store.get("acme", "job_b"));
        assertEquals(SubmitOutcome.DUPLICATE_ID, store.submit(queued("job_a", "other")));
        assertThrows(IllegalArgumentException.class, () -> store.submit(JobFixtures.running()));
    }

    @Test
    void anotherTenantsJobIsNotThereForGetListOrAwait() {
        BlockingStore store = store();
        submitted(store, "job_a", "acme");
        store.update("job_a", job -> job.start(STARTED));

        assertEquals(Optional.empty(), store.get("globex", "job_a"));
        assertEquals(List.of(), store.list("globex", Optional.empty(), null, 10).jobs());
        assertEquals(Optional.empty(), store.await("globex", "job_a", Duration.ofSeconds(30)).getNow(null));
        assertEquals(0, store.queuedCount("globex"));
        assertEquals(1, store.list("acme", Optional.empty(), null, 10).jobs().size());
    }

    @Test
    void aTenantMayHaveOnlySoManyJobsWaitingAndEachTenantCountsAlone() {
        BlockingStore store = store(100, 1 << 20, 2);
        submitted(store, "job_1", "acme");
        submitted(store, "job_2", "acme");

        assertEquals(SubmitOutcome.TENANT_QUEUE_FULL, store.submit(queued("job_3", "acme")));
        assertEquals(2, store.queuedCount("acme"));
        assertEquals(Optional.empty(), store.get("acme", "job_3"));
        submitted(store, "job_4", "globex");

        store.update("job_1", job -> job.start(STARTED));
        assertEquals(1, store.queuedCount("acme"));
        submitted(store, "job_3", "acme");
        store.update("job_2", job -> job.cancel(FINISHED));
        store.update("job_3", job -> job.fail(FINISHED, TIMED_OUT));
        assertEquals(0, store.queuedCount("acme"));
    }

    @Test
    void concurrentSubmissionsNeverPassTheTenantsBound() throws Exception {
        BlockingStore store = store(10_000, 1 << 20, 100);
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<SubmitOutcome>> outcomes = new ArrayList<>();
            for (int i = 0; i < 400; i++) {
                Job job = queued("job_" + i, "acme");
                outcomes.add(pool.submit(() -> store.submit(job)));
            }
            int accepted = 0;
            for (Future<SubmitOutcome> outcome : outcomes) {
                accepted += outcome.get().accepted() ? 1 : 0;
            }
            assertEquals(100, accepted);
            assertEquals(100, store.queuedCount("acme"));
            assertEquals(100L, store.countByStatus().get(JobStatus.QUEUED));
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void updateAppliesLegalTransitionsAndRefusesTheRest() {
        BlockingStore store = store();
        submitted(store, "job_a", "acme");

        assertEquals(JobStatus.RUNNING, store.update("job_a", job -> job.start(STARTED)).orElseThrow().status());
        assertEquals(Optional.empty(), store.update("job_a", job -> job.start(STARTED)), "started twice");
        assertEquals(Optional.empty(), store.update("job_b", job -> job.start(STARTED)), "unknown id");
        assertEquals(Optional.empty(), store.update("job_a", job -> Optional.of(JobFixtures.expired())),
                "running cannot become expired, however the snapshot was made");
        assertEquals(Optional.empty(), store.update("job_a", job -> Optional.of(queued("job_a", "globex")
                .start(STARTED).orElseThrow())), "a transition cannot change the owner");
        assertEquals(JobStatus.RUNNING, status(store, "acme", "job_a"));

        Job done = store.update("job_a", job -> job.succeed(FINISHED, OK)).orElseThrow();
        assertEquals(JobStatus.SUCCEEDED, done.status());
        assertEquals(Optional.empty(), store.update("job_a", job -> job.cancel(FINISHED)), "too late to cancel");
        assertEquals(Optional.of(done), store.get("acme", "job_a"));
    }

    @Test
    void aResultIsKeptForItsTimeThenTheJobSaysExpiredForAsLongAgainThenIsGone() {
        BlockingStore store = store();
        submitted(store, "job_a", "acme");
        ticker.advance(Duration.ofMinutes(3)); // the time to live counts from the end, not the submission
        finish(store, "job_a", JobFixtures.body(100));

        ticker.advance(TTL.minus(NANO));
        assertEquals(JobStatus.SUCCEEDED, status(store, "acme", "job_a"));
        assertEquals(100, store.resultBytes());

        ticker.advance(NANO);
        Job expired = store.get("acme", "job_a").orElseThrow();
        assertEquals(JobStatus.EXPIRED, expired.status());
        assertNull(expired.result());
        assertEquals(FINISHED, expired.finishedAt());
        assertEquals(0, store.resultBytes());

        ticker.advance(TTL.minus(NANO));
        assertEquals(JobStatus.EXPIRED, status(store, "acme", "job_a"));
        ticker.advance(NANO);
        assertEquals(Optional.empty(), store.get("acme", "job_a"));
        assertEquals(0L, store.countByStatus().get(JobStatus.EXPIRED));
    }

    @Test
    void aWebhookUpdateDoesNotExtendAResultsTime() {
        BlockingStore store = store();
        assertEquals(SubmitOutcome.ACCEPTED, store.submit(Job.queued("job_w", "acme", "llama", "POST", "/g",
                JobFixtures.CREATED, "https://hooks.example.com/")));
        finish(store, "job_w", OK);
        ticker.advance(TTL.minus(NANO));

        Job delivered = store.update("job_w", Job::webhookDelivered).orElseThrow();
        assertEquals(Webhook.Delivery.DELIVERED, delivered.webhook().delivery());
        ticker.advance(NANO);
        Job expired = store.get("acme", "job_w").orElseThrow();
        assertEquals(JobStatus.EXPIRED, expired.status());
        assertEquals(delivered.webhook(), expired.webhook());
    }

    @Test
    void pastTheByteBoundTheOldestResultsExpireFirstAndActiveJobsStay() {
        BlockingStore store = store(100, 10, 10);
        for (String id : List.of("job_1", "job_2", "job_3", "job_4", "job_q", "job_r")) {
            submitted(store, id, "acme");
        }
        store.update("job_r", job -> job.start(STARTED));
        finish(store, "job_1", JobFixtures.body(4));
        finish(store, "job_2", JobFixtures.body(4));
        finish(store, "job_3", JobFixtures.body(2));
        assertEquals(10, store.resultBytes(), "up to the bound, everything is kept");
        assertEquals(JobStatus.SUCCEEDED, status(store, "acme", "job_1"));

        Job fourth = finish(store, "job_4", JobFixtures.body(4));
        assertEquals(JobStatus.SUCCEEDED, fourth.status());
        assertEquals(JobStatus.EXPIRED, status(store, "acme", "job_1"));
        assertEquals(JobStatus.SUCCEEDED, status(store, "acme", "job_2"));
        assertEquals(10, store.resultBytes());
        assertEquals(JobStatus.QUEUED, status(store, "acme", "job_q"));
        assertEquals(JobStatus.RUNNING, status(store, "acme", "job_r"));

        Job tooLarge = store.update("job_r", job -> job.succeed(FINISHED, JobFixtures.body(11))).orElseThrow();
        assertEquals(JobStatus.EXPIRED, tooLarge.status(), "a result over the bound is never kept");
        assertEquals(List.of(JobStatus.EXPIRED, JobStatus.EXPIRED, JobStatus.EXPIRED, JobStatus.QUEUED),
                List.of(status(store, "acme", "job_2"), status(store, "acme", "job_4"),
                        status(store, "acme", "job_r"), status(store, "acme", "job_q")),
                "everything older went to make room, and still not enough");
        assertEquals(0, store.resultBytes());
    }

    @Test
    void pastTheCountBoundANewJobTakesThePlaceOfTheOldestExpiredThenOfTheOldestFinished() {
        BlockingStore store = store(3, 1 << 20, 10);
        submitted(store, "job_1", "acme");
        submitted(store, "job_2", "acme");
        submitted(store, "job_3", "acme");
        finish(store, "job_1", OK);
        finish(store, "job_2", OK);
        store.update("job_2", Job::expire).orElseThrow();

        submitted(store, "job_4", "acme");
        assertEquals(Optional.empty(), store.get("acme", "job_2"), "the expired one went first");
        assertEquals(JobStatus.SUCCEEDED, status(store, "acme", "job_1"));

        submitted(store, "job_5", "acme");
        assertEquals(Optional.empty(), store.get("acme", "job_1"), "then the oldest finished one");
        assertEquals(Map.of(JobStatus.QUEUED, 3L), nonZero(store.countByStatus()));

        assertEquals(SubmitOutcome.STORE_FULL, store.submit(queued("job_6", "acme")),
                "no queued or running job makes room");
        assertEquals(3, store.queuedCount("acme"));
    }

    @Test
    void aLongPollEndsWhenTheJobFinishes() {
        BlockingStore store = store();
        submitted(store, "job_a", "acme");
        CompletableFuture<Optional<Job>> first = store.await("acme", "job_a", Duration.ofSeconds(30));
        CompletableFuture<Optional<Job>> second = store.await("acme", "job_a", Duration.ofSeconds(5));
        store.update("job_a", job -> job.start(STARTED));
        store.onTick();
        assertFalse(first.isDone());

        Job done = store.update("job_a", job -> job.succeed(FINISHED, OK)).orElseThrow();
        assertSame(done, first.getNow(null).orElseThrow());
        assertSame(done, second.getNow(null).orElseThrow());
    }

    @Test
    void aLongPollEndsWhenItsTimeIsUpWithTheJobAsItStands() {
        BlockingStore store = store();
        submitted(store, "job_a", "acme");
        CompletableFuture<Optional<Job>> poll = store.await("acme", "job_a", Duration.ofSeconds(30));
        CompletableFuture<Optional<Job>> left = store.await("acme", "job_a", Duration.ofSeconds(30));
        left.cancel(false);
        Job running = store.update("job_a", job -> job.start(STARTED)).orElseThrow();

        ticker.advance(Duration.ofSeconds(30).minus(NANO));
        store.onTick();
        assertFalse(poll.isDone());
        ticker.advance(NANO);
        store.onTick();
        assertSame(running, poll.getNow(null).orElseThrow());
        assertTrue(left.isCancelled());
    }

    @Test
    void aLongPollOnAFinishedJobOrWithoutTimeEndsAtOnce() {
        BlockingStore store = store();
        submitted(store, "job_a", "acme");
        submitted(store, "job_b", "acme");
        Job done = finish(store, "job_a", OK);

        assertSame(done, store.await("acme", "job_a", Duration.ofSeconds(30)).getNow(null).orElseThrow());
        assertEquals(JobStatus.QUEUED, store.await("acme", "job_b", Duration.ZERO).getNow(null).orElseThrow().status());
        assertEquals(Optional.empty(), store.await("acme", "job_c", Duration.ofSeconds(30)).getNow(null));
    }

    @Test
    void aTenantsJobsAreListedNewestFirstInPagesAndByStatus() {
        BlockingStore store = store();
        for (int i = 1; i <= 5; i++) {
            submitted(store, "job_" + i, "acme");
            submitted(store, "job_x" + i, "globex");
        }
        finish(store, "job_2", OK);
        finish(store, "job_4", OK);

        JobPage first = store.list("acme", Optional.empty(), null, 2);
        assertEquals(List.of("job_5", "job_4"), ids(first));
        JobPage second = store.list("acme", Optional.empty(), first.nextPageToken().orElseThrow(), 2);
        assertEquals(List.of("job_3", "job_2"), ids(second));
        JobPage last = store.list("acme", Optional.empty(), second.nextPageToken().orElseThrow(), 2);
        assertEquals(List.of("job_1"), ids(last));
        assertEquals(Optional.empty(), last.nextPageToken());

        JobPage succeeded = store.list("acme", Optional.of(JobStatus.SUCCEEDED), null, 10);
        assertEquals(List.of("job_4", "job_2"), ids(succeeded));
        assertEquals(Optional.empty(), succeeded.nextPageToken());
        assertEquals(List.of(), ids(store.list("acme", Optional.of(JobStatus.FAILED), null, 10)));

        assertThrows(IllegalArgumentException.class, () -> store.list("acme", Optional.empty(), "not-a-token!", 2));
        assertThrows(IllegalArgumentException.class, () -> store.list("acme", Optional.empty(), null, 0));
    }

    @Test
    void aPageTokenStaysValidWhileJobsComeAndChange() {
        BlockingStore store = store();
        for (int i = 1; i <= 4; i++) {
            submitted(store, "job_" + i, "acme");
        }
        JobPage first = store.list("acme", Optional.empty(), null, 2);
        submitted(store, "job_5", "acme");
        finish(store, "job_2", OK);

        assertEquals(List.of("job_2", "job_1"),
                ids(store.list("acme", Optional.empty(), first.nextPageToken().orElseThrow(), 10)));
    }

    @Test
    void countsCoverEveryStatus() {
        BlockingStore store = store();
        for (int i = 1; i <= 6; i++) {
            submitted(store, "job_" + i, "acme");
        }
        store.update("job_2", job -> job.start(STARTED));
        finish(store, "job_3", OK);
        store.update("job_4", job -> job.fail(FINISHED, TIMED_OUT));
        store.update("job_5", job -> job.cancel(FINISHED));
        finish(store, "job_6", OK);
        store.update("job_6", Job::expire);

        Map<JobStatus, Long> counts = store.countByStatus();
        assertEquals(6, counts.size());
        for (JobStatus status : JobStatus.values()) {
            assertEquals(1L, counts.get(status), status.wireName());
        }
    }

    private static List<String> ids(JobPage page) {
        return page.jobs().stream().map(Job::id).toList();
    }

    private static Map<JobStatus, Long> nonZero(Map<JobStatus, Long> counts) {
        Map<JobStatus, Long> nonZero = new java.util.EnumMap<>(JobStatus.class);
        counts.forEach((status, n) -> {
            if (n != 0) {
                nonZero.put(status, n);
            }
        });
        return nonZero;
    }

    private static final Duration LEASE = Duration.ofSeconds(10);

    @Test
    void aJobWhoseLeaseLapsesIsTakenOverFromTheFrontOfItsQueueAndKeepsItsStart() {
        BlockingStore store = store();
        submitted(store, "job_a", "acme");
        submitted(store, "job_b", "acme");
        List<Claim> first = store.claim("gateway-a", Map.of("llama", 1), LEASE);
        assertEquals(List.of("job_a"), first.stream().map(c -> c.job().id()).toList());
        assertEquals(BlockingStore.REQUEST, first.get(0).request());
        Job running = store.update("job_a", job -> job.start(STARTED)).orElseThrow();

        ticker.advance(Duration.ofSeconds(9));
        assertTrue(store.renew("job_a", "gateway-a", LEASE), "its own lease, renewed in time");
        assertFalse(store.renew("job_a", "gateway-b", LEASE), "no one else's");
        ticker.advance(LEASE.minus(NANO));
        assertEquals(0, store.onTick());
        ticker.advance(NANO);
        assertEquals(1, store.onTick(), "the lease lapsed");
        assertFalse(store.renew("job_a", "gateway-a", LEASE), "the lapsed owner learns it has lost the job");

        List<Claim> takenOver = store.claim("gateway-b", Map.of("llama", 5), LEASE);
        assertEquals(List.of("job_a", "job_b"), takenOver.stream().map(c -> c.job().id()).toList());
        assertEquals(running, takenOver.get(0).job(), "still running, with its first start");
        assertEquals(BlockingStore.REQUEST, takenOver.get(0).request());
        assertEquals(List.of(), store.claim("gateway-b", Map.of("llama", 5), LEASE));
    }

    @Test
    void aCancelledJobStaysCancelledAndIsNeverClaimedOrTakenOver() {
        BlockingStore store = store();
        submitted(store, "job_q", "acme");
        submitted(store, "job_r", "acme");
        store.claim("gateway-a", Map.of("llama", 1), LEASE);
        store.update("job_q", job -> job.start(STARTED));
        store.update("job_q", job -> job.cancel(FINISHED)).orElseThrow();
        store.update("job_r", job -> job.cancel(FINISHED)).orElseThrow();

        assertFalse(store.renew("job_q", "gateway-a", LEASE), "its runner learns at its next renewal");
        ticker.advance(LEASE.multipliedBy(2));
        assertEquals(0, store.onTick(), "a cancelled job's lease is gone, not lapsed");
        assertEquals(List.of(), store.claim("gateway-b", Map.of("llama", 5), LEASE));
        assertEquals(Optional.empty(), store.update("job_q", job -> job.succeed(FINISHED, OK)));
        assertEquals(JobStatus.CANCELLED, status(store, "acme", "job_q"));
        assertEquals(JobStatus.CANCELLED, status(store, "acme", "job_r"));
    }

    @Test
    void aWebhookIsDueOnceWhileHeldAndAgainWhenItsRetryIsDue() {
        BlockingStore store = store();
        assertEquals(SubmitOutcome.ACCEPTED, store.submit(Job.queued("job_w", "acme", "llama", "POST", "/g",
                JobFixtures.CREATED, "https://hooks.example/a")));
        submitted(store, "job_n", "acme");
        assertEquals(List.of(), store.dueWebhooks(Duration.ofSeconds(30), 10), "not before the job ends");
        finish(store, "job_w", OK);
        finish(store, "job_n", OK);

        List<Job> due = store.dueWebhooks(Duration.ofSeconds(30), 10);
        assertEquals(List.of("job_w"), due.stream().map(Job::id).toList(), "only a job with a callback");
        assertEquals(List.of(), store.dueWebhooks(Duration.ofSeconds(30), 10), "held by the one delivering it");
        store.update("job_w", job -> job.webhookFailed("answered 500", 5));
        store.webhookDueIn("job_w", Duration.ofSeconds(2));
        ticker.advance(Duration.ofSeconds(2).minus(NANO));
        assertEquals(List.of(), store.dueWebhooks(Duration.ofSeconds(30), 10));
        ticker.advance(NANO);
        assertEquals(List.of("job_w"), store.dueWebhooks(Duration.ofSeconds(30), 10).stream().map(Job::id).toList());
        store.update("job_w", Job::webhookDelivered).orElseThrow();
        ticker.advance(Duration.ofMinutes(1));
        assertEquals(List.of(), store.dueWebhooks(Duration.ofSeconds(30), 10), "delivered: never again");
    }

    @Test
    void aHeldWebhookWhoseDelivererVanishedIsDueAgainAfterItsHold() {
        BlockingStore store = store();
        store.submit(Job.queued("job_w", "acme", "llama", "POST", "/g", JobFixtures.CREATED, "https://hooks.example/a"));
        finish(store, "job_w", OK);
        assertEquals(1, store.dueWebhooks(Duration.ofSeconds(30), 10).size());
        ticker.advance(Duration.ofSeconds(30));
        assertEquals(List.of("job_w"), store.dueWebhooks(Duration.ofSeconds(30), 10).stream().map(Job::id).toList());
    }
}
