package io.infergate.server.store;

import io.infergate.core.config.RedisStoreConfig;
import io.infergate.core.job.Claim;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobPage;
import io.infergate.core.job.JobRequest;
import io.infergate.core.job.JobResult;
import io.infergate.core.job.JobStatus;
import io.infergate.core.job.Moment;
import io.infergate.core.job.StoreLimits;
import io.infergate.core.job.SubmitOutcome;
import io.infergate.core.metrics.MeterNames;
import io.infergate.core.store.StoreUnavailableException;
import io.infergate.server.testing.RedisServer;
import io.infergate.testing.Await;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The jobs' store on a real Redis, as two gateways see it (two connections, one wall clock the test
 * sets): bounds, leases lapsing and taken over, cancellation that stays, one webhook delivery at a
 * time, long polls ended by the other gateway's finish, results expiring.
 */
class RedisJobStoreIT {

    private static final Duration LEASE = Duration.ofSeconds(10);
    private static final Duration TTL = Duration.ofMinutes(10);
    private static final JobRequest REQUEST = new JobRequest("POST", "/chat/generate",
            List.of(Map.entry("Content-Type", "application/json"), Map.entry("X-Seed", "7")),
            "{\"inputs\":\"hi \u00e9\"}".getBytes(StandardCharsets.UTF_8));
    private static final JobResult OK = new JobResult(200, Map.of("X-Generated-Tokens", "3"), "application/json",
            new byte[] {0, 1, 2, (byte) 0xff});

    @TempDir
    Path dir;
    private RedisServer redis;
    private final SetClock clock = new SetClock(1_764_072_000_000L);
    private final List<RedisStore> connections = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private RedisJobStore a;
    private RedisJobStore b;

    @BeforeEach
    void start() throws Exception {
        assumeTrue(RedisServer.installed(), "redis-server is installed (.ci/run installs it)");
        redis = RedisServer.start(dir);
        a = store(new StoreLimits(100, 1 << 20, TTL, 3));
        b = store(new StoreLimits(100, 1 << 20, TTL, 3));
    }

    @AfterEach
    void stop() throws Exception {
        connections.forEach(RedisStore::close);
        if (redis != null) {
            redis.close();
        }
    }

    private RedisJobStore store(StoreLimits limits) {
        RedisStoreConfig config = new RedisStoreConfig(URI.create(redis.url()), null, Duration.ofSeconds(2),
                Duration.ofSeconds(2), "it:", null);
        StoreHealth health = new StoreHealth(redis.url(), "test");
        RedisStore store = new RedisStore(config, health, registry, System::nanoTime);
        store.connectNow();
        connections.add(store);
        return new RedisJobStore(store, limits, clock);
    }

    private Job queued(String id, String tenant, String callback) {
        return Job.queued(id, tenant, "chat", "POST", "/chat/generate", moment(), callback);
    }

    private Moment moment() {
        return JobCodec.moment(clock.millis());
    }

    private static <T> T join(CompletionStage<T> stage) {
        return stage.toCompletableFuture().join();
    }

    private Job submitted(String id) {
        Job job = queued(id, "acme", null);
        assertEquals(SubmitOutcome.ACCEPTED, join(a.submit(job, REQUEST)));
        return job;
    }

    @Test
    void aJobIsReadBackFromAnotherGatewayAsSubmittedAndItsTenantsBoundsHoldForBoth() {
        Job job = submitted("job_1");
        assertEquals(Optional.of(job), join(b.get("acme", "job_1")));
        assertEquals(Optional.empty(), join(b.get("globex", "job_1")), "another tenant's job is not there");
        assertEquals(SubmitOutcome.DUPLICATE_ID, join(b.submit(queued("job_1", "globex", null), REQUEST)));
        assertEquals(SubmitOutcome.ACCEPTED, join(b.submit(queued("job_2", "acme", null), REQUEST)));
        assertEquals(SubmitOutcome.ACCEPTED, join(a.submit(queued("job_3", "acme", null), REQUEST)));
        assertEquals(SubmitOutcome.TENANT_QUEUE_FULL, join(b.submit(queued("job_4", "acme", null), REQUEST)),
                "three waiting, submitted through either gateway");
        assertEquals(SubmitOutcome.ACCEPTED, join(b.submit(queued("job_5", "globex", null), REQUEST)));

        JobPage first = join(b.list("acme", Optional.empty(), null, 2));
        assertEquals(List.of("job_3", "job_2"), first.jobs().stream().map(Job::id).toList());
        JobPage second = join(a.list("acme", Optional.empty(), first.nextPageToken().orElseThrow(), 2));
        assertEquals(List.of("job_1"), second.jobs().stream().map(Job::id).toList());
        assertEquals(Optional.empty(), second.nextPageToken());
        assertEquals(4L, join(a.countByStatus()).get(JobStatus.QUEUED), "three of acme and one of globex");
    }

    @Test
    void theStoreHoldsNoMoreQueuedOrRunningJobsThanMaxJobs() {
        RedisJobStore small = store(new StoreLimits(2, 1 << 20, TTL, 10));
        assertEquals(SubmitOutcome.ACCEPTED, join(small.submit(queued("job_1", "acme", null), REQUEST)));
        assertEquals(SubmitOutcome.ACCEPTED, join(small.submit(queued("job_2", "globex", null), REQUEST)));
        assertEquals(SubmitOutcome.STORE_FULL, join(small.submit(queued("job_3", "initech", null), REQUEST)));
        join(small.update("job_1", j -> j.cancel(moment())));
        assertEquals(SubmitOutcome.ACCEPTED, join(small.submit(queued("job_3", "initech", null), REQUEST)),
                "an ended job makes room");
    }

    @Test
    void aJobWhoseLeaseLapsesIsTakenOverByAnotherGatewayWithItsRequestAndStart() {
        submitted("job_1");
        submitted("job_2");
        List<Claim> claimed = join(a.claim("gateway-a", Map.of("chat", 1), LEASE));
        assertEquals(List.of("job_1"), claimed.stream().map(c -> c.job().id()).toList());
        assertEquals(REQUEST.target(), claimed.get(0).request().target());
        assertEquals(REQUEST.headers(), claimed.get(0).request().headers());
        assertEquals(new String(REQUEST.body(), StandardCharsets.UTF_8),
                new String(claimed.get(0).request().body(), StandardCharsets.UTF_8));
        Job running = join(a.update("job_1", j -> j.start(moment()))).orElseThrow();

        clock.advance(Duration.ofSeconds(9));
        assertTrue(join(a.renew("job_1", "gateway-a", LEASE)));
        assertFalse(join(b.renew("job_1", "gateway-b", LEASE)), "no one else's lease");
        clock.advance(LEASE.minusMillis(1));
        assertEquals(0, join(b.onTick()), "a millisecond before the lease lapses");
        clock.advance(Duration.ofSeconds(1)); // lapsed leases are looked for once a second
        assertEquals(1, join(b.onTick()), "the lease lapsed");
        assertEquals(1.0, registry.get(MeterNames.STORE_LEASES_TAKEN_OVER).counter().count());
        assertFalse(join(a.renew("job_1", "gateway-a", LEASE)), "the first gateway learns it lost the job");

        List<Claim> takenOver = join(b.claim("gateway-b", Map.of("chat", 5), LEASE));
        assertEquals(List.of("job_1", "job_2"), takenOver.stream().map(c -> c.job().id()).toList(),
                "from the front of the queue");
        assertEquals(running, takenOver.get(0).job(), "still running, with its first start");
        assertEquals(List.of(), join(a.claim("gateway-a", Map.of("chat", 5), LEASE)), "each job once");
        Job done = join(b.update("job_1", j -> j.succeed(moment(), OK))).orElseThrow();
        assertEquals(Optional.of(done), join(a.get("acme", "job_1")));
        assertTrue(java.util.Arrays.equals(OK.body(), join(a.get("acme", "job_1")).orElseThrow().result().body()));
    }

    @Test
    void aCancelledJobStaysCancelled() {
        submitted("job_q");
        submitted("job_r");
        join(a.claim("gateway-a", Map.of("chat", 1), LEASE));
        join(a.update("job_q", j -> j.start(moment())));
        assertEquals(JobStatus.CANCELLED, join(b.update("job_q", j -> j.cancel(moment()))).orElseThrow().status());
        assertEquals(JobStatus.CANCELLED, join(b.update("job_r", j -> j.cancel(moment()))).orElseThrow().status());

        assertFalse(join(a.renew("job_q", "gateway-a", LEASE)), "its runner learns at its next renewal");
        clock.advance(LEASE.multipliedBy(2));
        assertEquals(0, join(a.onTick()), "a cancelled job's lease is gone, not lapsed");
        assertEquals(List.of(), join(b.claim("gateway-b", Map.of("chat", 5), LEASE)), "never run again");
        assertEquals(Optional.empty(), join(a.update("job_q", j -> j.succeed(moment(), OK))));
        assertEquals(JobStatus.CANCELLED, join(a.get("acme", "job_q")).orElseThrow().status());
        assertEquals(0L, join(a.countByStatus()).get(JobStatus.QUEUED));
        assertEquals(2L, join(a.countByStatus()).get(JobStatus.CANCELLED));
    }

    @Test
    void aWebhookIsHeldByOneGatewayAtATimeAndDueAgainWhenItsHoldOrRetryEnds() {
        assertEquals(SubmitOutcome.ACCEPTED, join(a.submit(queued("job_w", "acme", "https://hooks.example/a"), REQUEST)));
        join(a.update("job_w", j -> j.start(moment())));
        join(a.update("job_w", j -> j.succeed(moment(), OK)));

        assertEquals(List.of("job_w"), ids(join(a.dueWebhooks(Duration.ofSeconds(15), 16))));
        assertEquals(List.of(), join(b.dueWebhooks(Duration.ofSeconds(15), 16)), "held by the first");
        clock.advance(Duration.ofSeconds(15));
        assertEquals(List.of("job_w"), ids(join(b.dueWebhooks(Duration.ofSeconds(15), 16))),
                "the first gateway vanished: due again after the hold");
        join(b.update("job_w", j -> j.webhookFailed("answered 500", 5)));
        join(b.webhookDueIn("job_w", Duration.ofSeconds(2)));
        clock.advance(Duration.ofMillis(1999));
        assertEquals(List.of(), join(a.dueWebhooks(Duration.ofSeconds(15), 16)));
        clock.advance(Duration.ofMillis(1));
        assertEquals(List.of("job_w"), ids(join(a.dueWebhooks(Duration.ofSeconds(15), 16))));
        join(a.update("job_w", Job::webhookDelivered)).orElseThrow();
        clock.advance(Duration.ofMinutes(1));
        assertEquals(List.of(), join(b.dueWebhooks(Duration.ofSeconds(15), 16)), "delivered: never again");
    }

    @Test
    void aLongPollOnOneGatewayEndsWhenAnotherFinishesTheJob() {
        submitted("job_1");
        CompletableFuture<Optional<Job>> poll = b.await("acme", "job_1", Duration.ofSeconds(30)).toCompletableFuture();
        join(a.update("job_1", j -> j.start(moment())));
        Job done = join(a.update("job_1", j -> j.succeed(moment(), OK))).orElseThrow();
        assertFalse(poll.isDone(), "b learns of it at its next poll");
        // The wait is registered once b's first read of the job has come back: tick until a poll sees it.
        Await.until("b's poll read the finished job", Duration.ofSeconds(5), () -> {
            clock.advance(Duration.ofMillis(JobWaits.POLL_EVERY_MILLIS));
            join(b.onTick());
            return poll.isDone();
        });
        assertEquals(Optional.of(done), poll.join());
    }

    @Test
    void aLongPollEndsWhenItsTimeIsUpWithTheJobAsItStands() {
        Job job = submitted("job_1");
        CompletableFuture<Optional<Job>> poll = b.await("acme", "job_1", Duration.ofSeconds(5)).toCompletableFuture();
        clock.advance(Duration.ofMillis(4999));
        join(b.onTick());
        assertFalse(poll.isDone(), "a millisecond of its time is left");
        Await.until("the wait ended", Duration.ofSeconds(5), () -> {
            clock.advance(Duration.ofMillis(JobWaits.POLL_EVERY_MILLIS));
            join(b.onTick());
            return poll.isDone();
        });
        assertEquals(Optional.of(job), poll.join());
        assertEquals(Optional.empty(), join(b.await("globex", "job_1", Duration.ofSeconds(5))));
    }

    @Test
    void aResultIsKeptForItsTimeToLiveThenItsJobReadsExpired() {
        submitted("job_1");
        join(a.update("job_1", j -> j.start(moment())));
        join(a.update("job_1", j -> j.succeed(moment(), OK)));
        clock.advance(TTL.minusMillis(1));
        assertEquals(JobStatus.SUCCEEDED, join(b.get("acme", "job_1")).orElseThrow().status());
        clock.advance(Duration.ofMillis(1));
        Job expired = join(b.get("acme", "job_1")).orElseThrow();
        assertEquals(JobStatus.EXPIRED, expired.status());
        assertEquals(null, expired.result());
        assertEquals(List.of("job_1"), ids(join(b.list("acme", Optional.of(JobStatus.EXPIRED), null, 10)).jobs()));
        assertEquals(1L, join(b.countByStatus()).get(JobStatus.EXPIRED));
        long ttlLeft = Long.parseLong(redis.command("PTTL it:job:job_1").substring(1));
        assertTrue(ttlLeft > 0 && ttlLeft <= 2 * TTL.toMillis(), "Redis lets go of it after twice the time: " + ttlLeft);
    }

    @Test
    void aSubmissionTheStoreCannotTakeFailsAsUnavailable() throws Exception {
        redis.stop();
        CompletionException failed = assertThrows(CompletionException.class,
                () -> join(a.submit(queued("job_1", "acme", null), REQUEST)));
        assertInstanceOf(StoreUnavailableException.class, failed.getCause());
    }

    private static List<String> ids(List<Job> jobs) {
        return jobs.stream().map(Job::id).toList();
    }

    /** A wall clock the test moves. */
    private static final class SetClock extends Clock {
        private final AtomicLong millis;

        SetClock(long millis) {
            this.millis = new AtomicLong(millis);
        }

        void advance(Duration by) {
            millis.addAndGet(by.toMillis());
        }

        @Override
        public long millis() {
            return millis.get();
        }

        @Override
        public Instant instant() {
            return Instant.ofEpochMilli(millis.get());
        }

        @Override
        public ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(ZoneId zone) {
            return this;
        }
    }
}
