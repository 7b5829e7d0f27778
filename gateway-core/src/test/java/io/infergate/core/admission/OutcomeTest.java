package io.infergate.core.admission;

import io.infergate.core.error.GatewayError;
import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

class OutcomeTest {

    @Test
    void retryAfterIsThePredictedWaitInWholeSecondsRoundedUpAndAtLeastOne() {
        assertEquals(1, Outcome.shed(Verdict.SHED_PREDICTED_WAIT, 0).retryAfterSeconds());
        assertEquals(1, Outcome.shed(Verdict.SHED_PREDICTED_WAIT, 1).retryAfterSeconds());
        assertEquals(1, Outcome.shed(Verdict.SHED_PREDICTED_WAIT, 1_000_000_000L).retryAfterSeconds());
        assertEquals(2, Outcome.shed(Verdict.SHED_PREDICTED_WAIT, 1_000_000_001L).retryAfterSeconds());
        assertEquals(31, Outcome.shed(Verdict.SHED_PREDICTED_WAIT, 30_500_000_000L).retryAfterSeconds());
        assertEquals(Long.MAX_VALUE / 1_000_000_000L + 1, Outcome.shed(Verdict.SHED_LOAD, Long.MAX_VALUE).retryAfterSeconds());
    }

    @Test
    void eachVerdictAnswersWithItsGatewayError() {
        assertNull(Verdict.ADMITTED.error());
        assertNull(Verdict.CANCELLED.error());
        assertEquals(GatewayError.SHED_OVERLOAD, Verdict.SHED_DISPLACED.error());
        assertEquals(GatewayError.QUEUE_FULL, Outcome.shed(Verdict.TENANT_SHARE_FULL, 1).error());
        assertEquals(GatewayError.DEADLINE_EXCEEDED, Outcome.of(Verdict.DEADLINE_EXCEEDED).error());
        assertEquals("shed_past_deadline", Verdict.SHED_PAST_DEADLINE.tag());
    }

    @Test
    void onlyA429CarriesARetryAfterAlwaysAndOnlyAdmissionsAPermit() {
        assertThrows(IllegalArgumentException.class, () -> new Outcome(Verdict.SHED_LOAD, null, 0));
        assertThrows(IllegalArgumentException.class, () -> new Outcome(Verdict.QUEUE_FULL, null, 0));
        assertEquals(5, new Outcome(Verdict.QUEUE_FULL, null, 5).retryAfterSeconds());
        assertThrows(IllegalArgumentException.class, () -> new Outcome(Verdict.DEADLINE_EXCEEDED, null, 5));
        assertThrows(IllegalArgumentException.class, () -> Outcome.of(Verdict.ADMITTED));
    }
}
