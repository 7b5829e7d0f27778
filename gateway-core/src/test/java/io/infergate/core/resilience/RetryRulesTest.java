package io.infergate.core.resilience;

import io.infergate.core.FakeTicker;
import io.infergate.core.resilience.AttemptOutcome.Answered;
import io.infergate.core.resilience.AttemptOutcome.ConnectFailed;
import io.infergate.core.resilience.AttemptOutcome.FirstByteTimeout;
import io.infergate.core.resilience.AttemptOutcome.ResetBeforeHead;
import io.infergate.core.resilience.RetryRules.Decision;
import io.infergate.core.resilience.RetryRules.Verdict;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryRulesTest {

    private static final long MINUTE = Duration.ofMinutes(1).toNanos();
    private final FakeTicker ticker = new FakeTicker();
    private final RetryRules rules = new RetryRules(RetryPolicy.DEFAULTS, Set.of("context_length_exceeded"));

    private RetryBudget plentyOfBudget() {
        return new RetryBudget(100, 100, Duration.ofSeconds(10), ticker);
    }

    private Decision decide(AttemptOutcome outcome, int attemptsMade) {
        return rules.decide(outcome, attemptsMade, MINUTE, plentyOfBudget(), 0.5);
    }

    @Test
    void successesAndClientErrorsAreDeliveredAndNoBreakerFailure() {
        for (int status : new int[] {200, 201, 304, 400, 401, 404, 422}) {
            Decision d = decide(new Answered(status, null, null), 1);
            assertEquals(Verdict.DELIVER, d.verdict(), "status " + status);
            assertFalse(d.breakerFailure());
        }
    }

    @Test
    void connectFailuresResetsAndListedStatusesAreRetriedThenMovedOnAndCountAgainstTheBreaker() {
        for (AttemptOutcome outcome : new AttemptOutcome[] {new ConnectFailed(false), new ConnectFailed(true),
                new ResetBeforeHead(), new Answered(500, null, null), new Answered(502, null, null),
                new Answered(503, null, null), new Answered(504, null, null)}) {
            Decision first = decide(outcome, 1);
            assertEquals(Verdict.RETRY, first.verdict(), outcome.toString());
            assertTrue(first.breakerFailure(), outcome.toString());
            assertEquals(Verdict.NEXT_UPSTREAM, decide(outcome, 2).verdict(), "attempts: 2 — " + outcome);
        }
    }

    @Test
    void aFailedTlsHandshakeIsNotRetriedButCountsAgainstTheBreaker() {
        Decision d = decide(new AttemptOutcome.TlsFailed(), 1);
        assertEquals(Verdict.NEXT_UPSTREAM, d.verdict(), "the same certificate would come back");
        assertTrue(d.breakerFailure());
    }

    @Test
    void aSilentEndpointIsNotAskedTwice() {
        Decision d = decide(new FirstByteTimeout(), 1);
        assertTrue(d.avoidEndpoint());
        assertTrue(d.breakerFailure());
    }

    @Test
    void backoffIsExponentialWithFullJitterAndCapped() {
        RetryPolicy policy = RetryPolicy.DEFAULTS;
        assertEquals(Duration.ofMillis(100).toNanos(), policy.backoffNanos(1, 0.5));
        assertEquals(Duration.ofMillis(200).toNanos(), policy.backoffNanos(2, 0.5));
        assertEquals(Duration.ofMillis(400).toNanos(), policy.backoffNanos(3, 0.5));
        assertEquals(Duration.ofMillis(2500).toNanos(), policy.backoffNanos(20, 0.5));
        assertEquals(Duration.ofMillis(2500).toNanos(), policy.backoffNanos(100, 0.5));
        assertEquals(0, policy.backoffNanos(1, 0.0));
    }

    @Test
    void tooManyRequestsWaitsOutRetryAfterWhenItFitsAndIsNoBreakerFailure() {
        Decision wait = decide(new Answered(429, Duration.ofSeconds(2), null), 1);
        assertEquals(Verdict.RETRY, wait.verdict());
        assertEquals(Duration.ofSeconds(2).toNanos(), wait.delayNanos());
        assertFalse(wait.breakerFailure());

        assertEquals(Verdict.NEXT_UPSTREAM, decide(new Answered(429, Duration.ofSeconds(31), null), 1).verdict(),
                "past maxRetryAfter");
        assertEquals(Verdict.NEXT_UPSTREAM, rules.decide(new Answered(429, Duration.ofSeconds(2), null), 1,
                Duration.ofSeconds(1).toNanos(), plentyOfBudget(), 0.5).verdict(), "past the deadline");
        assertFalse(decide(new Answered(429, null, null), 1).breakerFailure());
    }

    @Test
    void aRetryAfterTooLongForNanosecondsMovesOnRatherThanOverflowing() {
        assertEquals(Verdict.NEXT_UPSTREAM, decide(new Answered(429, Duration.ofSeconds(10_000_000_000L), null), 1).verdict());
        RetryPolicy patient = new RetryPolicy(2, Duration.ofMillis(200), Duration.ofSeconds(5), 20, 3,
                Duration.ofDays(365_000), Set.of(503));
        assertEquals(Verdict.NEXT_UPSTREAM, new RetryRules(patient, Set.of()).decide(
                new Answered(429, Duration.ofSeconds(10_000_000_000L), null), 1, MINUTE, plentyOfBudget(), 0.5).verdict(),
                "within maxRetryAfter, past the deadline");
    }

    @Test
    void aListedErrorCodeGoesToTheNextUpstreamOtherwiseItIsTheClients() {
        assertEquals(Verdict.NEXT_UPSTREAM, decide(new Answered(400, null, "context_length_exceeded"), 1).verdict());
        assertEquals(Verdict.DELIVER, decide(new Answered(400, null, "content_policy_violation"), 1).verdict());
    }

    @Test
    void anEmptyBudgetOrAnExhaustedDeadlineMovesOnInsteadOfRetrying() {
        RetryBudget empty = new RetryBudget(0, 0, Duration.ofSeconds(10), ticker);
        assertEquals(Verdict.NEXT_UPSTREAM, rules.decide(new ResetBeforeHead(), 1, MINUTE, empty, 0.5).verdict());
        assertEquals(Verdict.NEXT_UPSTREAM, rules.decide(new ResetBeforeHead(), 1, 1, plentyOfBudget(), 0.5).verdict());
    }
}
