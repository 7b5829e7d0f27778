package io.infergate.core.job;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;

import static io.infergate.core.job.JobFixtures.CREATED;
import static io.infergate.core.job.JobFixtures.FINISHED;
import static io.infergate.core.job.JobFixtures.OK;
import static io.infergate.core.job.JobFixtures.STARTED;
import static io.infergate.core.job.JobFixtures.TIMED_OUT;
import static io.infergate.core.job.JobStatus.CANCELLED;
import static io.infergate.core.job.JobStatus.EXPIRED;
import static io.infergate.core.job.JobStatus.FAILED;
import static io.infergate.core.job.JobStatus.QUEUED;
import static io.infergate.core.job.JobStatus.RUNNING;
import static io.infergate.core.job.JobStatus.SUCCEEDED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobTest {

    private record Move(Function<Job, Optional<Job>> transition, Set<JobStatus> from, JobStatus to) {}

    private static final Map<String, Move> MOVES = new LinkedHashMap<>();

    static {
        MOVES.put("start", new Move(job -> job.start(STARTED), EnumSet.of(QUEUED), RUNNING));
        MOVES.put("attempt", new Move(job -> job.attempt("fallback"), EnumSet.of(RUNNING), RUNNING));
        MOVES.put("succeed", new Move(job -> job.succeed(FINISHED, OK), EnumSet.of(RUNNING), SUCCEEDED));
        MOVES.put("fail", new Move(job -> job.fail(FINISHED, TIMED_OUT), EnumSet.of(QUEUED, RUNNING), FAILED));
        MOVES.put("cancel", new Move(job -> job.cancel(FINISHED), EnumSet.of(QUEUED, RUNNING), CANCELLED));
        MOVES.put("expire", new Move(Job::expire, EnumSet.of(SUCCEEDED, FAILED, CANCELLED), EXPIRED));
    }

    @Test
    void everyLegalMoveIsMadeAndEveryOtherIsRefusedWithoutThrowing() {
        int made = 0;
        for (JobStatus status : JobStatus.values()) {
            Job job = JobFixtures.in(status);
            for (Map.Entry<String, Move> entry : MOVES.entrySet()) {
                Move move = entry.getValue();
                Optional<Job> after = move.transition().apply(job);
                String what = entry.getKey() + " from " + status.wireName();
                assertEquals(move.from().contains(status), after.isPresent(), what);
                if (after.isPresent()) {
                    made++;
                    assertEquals(move.to(), after.get().status(), what);
                    assertTrue(status.canMoveTo(move.to()), what);
                }
            }
        }
        assertEquals(10, made);
    }

    @Test
    void statusesMoveOnlyForward() {
        Map<JobStatus, Set<JobStatus>> legal = Map.of(
                QUEUED, EnumSet.of(QUEUED, RUNNING, FAILED, CANCELLED),
                RUNNING, EnumSet.of(RUNNING, SUCCEEDED, FAILED, CANCELLED),
                SUCCEEDED, EnumSet.of(SUCCEEDED, EXPIRED),
                FAILED, EnumSet.of(FAILED, EXPIRED),
                CANCELLED, EnumSet.of(CANCELLED, EXPIRED),
                EXPIRED, EnumSet.of(EXPIRED));
        for (JobStatus from : JobStatus.values()) {
            for (JobStatus to : JobStatus.values()) {
                assertEquals(legal.get(from).contains(to), from.canMoveTo(to), from + " -> " + to);
            }
        }
    }

    @Test
    void aJobRecordsWhenItStartedWhereItRanAndWhatItGot() {
        Job running = JobFixtures.queued().start(STARTED).orElseThrow();
        assertEquals(STARTED, running.startedAt());
        assertNull(running.upstream());
        assertEquals(0, running.attempts());

        Job retried = running.attempt("primary").orElseThrow().attempt("fallback").orElseThrow();
        assertEquals("fallback", retried.upstream());
        assertEquals(2, retried.attempts());

        Job done = retried.succeed(FINISHED, OK).orElseThrow();
        assertEquals(FINISHED, done.finishedAt());
        assertEquals(OK, done.result());
        assertEquals(Optional.of(Duration.ofSeconds(2)), done.duration());
        assertEquals(Optional.empty(), retried.duration());
    }

    @Test
    void expiringDropsTheResultAndTheErrorButKeepsTheRest() {
        Job expired = JobFixtures.succeeded().expire().orElseThrow();
        assertNull(expired.result());
        assertEquals(FINISHED, expired.finishedAt());
        assertEquals("primary", expired.upstream());
        assertEquals(1, expired.attempts());
        assertNull(JobFixtures.failed().expire().orElseThrow().error());
    }

    @Test
    void aJobThatFailsInTheQueueNeverStarted() {
        Job failed = JobFixtures.queued().fail(FINISHED, TIMED_OUT).orElseThrow();
        assertNull(failed.startedAt());
        assertEquals(TIMED_OUT, failed.error());
        assertEquals("deadline_exceeded", failed.error().cause());
    }

    @Test
    void theWebhookIsDeliveredOrGivenUpOnlyOnceTheJobHasEnded() {
        Job running = Job.queued("job_w", "acme", "llama", "POST", "/g", CREATED, "https://hooks.example.com/j")
                .start(STARTED).orElseThrow();
        assertEquals(Webhook.pending("https://hooks.example.com/j"), running.webhook());
        assertEquals(Optional.empty(), running.webhookDelivered());
        assertEquals(Optional.empty(), running.webhookFailed("refused", 3));

        Job ended = running.succeed(FINISHED, OK).orElseThrow();
        Job once = ended.webhookFailed("connect_failed", 3).orElseThrow();
        assertEquals(new Webhook("https://hooks.example.com/j", Webhook.Delivery.PENDING, 1, "connect_failed"),
                once.webhook());
        Job delivered = once.webhookDelivered().orElseThrow();
        assertEquals(new Webhook("https://hooks.example.com/j", Webhook.Delivery.DELIVERED, 2, "connect_failed"),
                delivered.webhook());
        assertEquals(Optional.empty(), delivered.webhookDelivered());
        assertEquals(Optional.empty(), delivered.webhookFailed("late", 3));

        Job givenUp = ended.webhookFailed("503", 2).orElseThrow().webhookFailed("504", 2).orElseThrow();
        assertEquals(new Webhook("https://hooks.example.com/j", Webhook.Delivery.FAILED, 2, "504"), givenUp.webhook());
        assertEquals(Optional.empty(), givenUp.webhookFailed("again", 2));

        assertEquals(Optional.empty(), JobFixtures.succeeded().webhookDelivered(), "no webhook was asked for");
    }

    @Test
    void aSnapshotThatContradictsItselfCannotBeMade() {
        assertThrows(IllegalArgumentException.class, () -> new Job("job_a", "acme", "r", "POST", "/", QUEUED, CREATED,
                null, FINISHED, null, 0, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Job("job_a", "acme", "r", "POST", "/", RUNNING, CREATED,
                null, null, null, 0, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Job("job_a", "acme", "r", "POST", "/", SUCCEEDED,
                CREATED, STARTED, FINISHED, null, 1, null, null, null));
        assertThrows(IllegalArgumentException.class, () -> new Job("job_a", "acme", "r", "POST", "/", FAILED,
                CREATED, STARTED, FINISHED, null, 1, OK, TIMED_OUT, null));
        assertThrows(IllegalArgumentException.class, () -> new Job("job_a", "acme", "r", "POST", "/", EXPIRED,
                CREATED, STARTED, FINISHED, null, 1, OK, null, null));
    }

    @Test
    void wireNamesParseBackAndNothingElseDoes() {
        for (JobStatus status : JobStatus.values()) {
            assertEquals(Optional.of(status), JobStatus.parse(status.wireName()));
        }
        assertEquals(Optional.empty(), JobStatus.parse("SUCCEEDED"));
        assertEquals(Optional.empty(), JobStatus.parse("done"));
        assertFalse(RUNNING.isFinished());
        assertTrue(EXPIRED.isFinished());
    }

    @Test
    void aResultCannotBeChangedThroughTheArraysItWasMadeFromOrGivesOut() {
        byte[] body = {1, 2, 3};
        JobResult result = new JobResult(200, Map.of("Content-Length", "3"), null, body);
        body[0] = 9;
        result.body()[1] = 9;
        assertEquals(new JobResult(200, Map.of("content-length", "3"), null, new byte[] {1, 2, 3}), result);
        assertTrue(result.bodyView().isReadOnly());
        assertEquals(3, result.bodyLength());
    }
}
