package io.infergate.core.admission;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WaitEstimatorTest {

    private final WaitEstimator estimator = new WaitEstimator(Duration.ofSeconds(1));

    @Test
    void theWaitIsTheHoldsToWaitForSharedOverTheSlots() {
        assertEquals(1_250_000_000L, estimator.predictWaitNanos(9, 0, 8), "10 holds over 8 slots of 1 s");
        assertEquals(500_000_000L, estimator.predictWaitNanos(0, 0, 2), "next in line, 2 slots busy");
        assertEquals(3_000_000_000L, estimator.predictWaitNanos(5, 0, 2));
        assertEquals(375_000_000L, estimator.predictWaitNanos(4, 2, 8), "two of the five take the free slots; three holds to wait for");
    }

    @Test
    void aRequestThatFindsAFreeSlotWaitsNothingAndNeverLessThanNothing() {
        assertEquals(0, estimator.predictWaitNanos(0, 1, 8));
        assertEquals(0, estimator.predictWaitNanos(2, 3, 8));
        assertEquals(0, estimator.predictWaitNanos(0, 8, 8));
    }

    @Test
    void theGuessStandsUntilTheFirstObservationReplacesIt() {
        assertEquals(1_000_000_000L, estimator.meanServiceNanos());
        estimator.observe(4_000_000_000L);
        assertEquals(4_000_000_000L, estimator.meanServiceNanos(), "not averaged with the guess");
        assertEquals(4_000_000_000L, estimator.predictWaitNanos(1, 0, 2));
    }

    @Test
    void laterObservationsMoveTheMeanByTheirWeight() {
        estimator.observe(4_000_000_000L);
        estimator.observe(2_000_000_000L);
        assertEquals(3_600_000_000L, estimator.meanServiceNanos(), "4 + 0.2 × (2 - 4)");
        estimator.observe(3_600_000_000L + 5_000_000_000L);
        assertEquals(4_600_000_000L, estimator.meanServiceNanos(), "3.6 + 0.2 × 5");

        WaitEstimator halves = new WaitEstimator(Duration.ofSeconds(1), 0.5);
        halves.observe(1_000);
        halves.observe(3_000);
        assertEquals(2_000, halves.meanServiceNanos());
        halves.observe(0);
        assertEquals(1_000, halves.meanServiceNanos());
    }

    @Test
    void steadyServiceTimesBoundAtTheMeanAndVaryingOnesFourDeviationsAbove() {
        estimator.observe(2_000_000_000L);
        estimator.observe(2_000_000_000L);
        assertEquals(2_000_000_000L, estimator.serviceBoundNanos(), "no deviation yet");

        estimator.observe(3_000_000_000L);

        // The deviation moves a quarter of the way to |3 s - 2 s|, then the mean a fifth of the way to 3 s.
        assertEquals(2_200_000_000L, estimator.meanServiceNanos());
        assertEquals(2_200_000_000L + 4 * 250_000_000L, estimator.serviceBoundNanos());
    }

    @Test
    void refusesArgumentsThatMeanNothing() {
        assertThrows(IllegalArgumentException.class, () -> estimator.predictWaitNanos(0, 0, 0));
        assertThrows(IllegalArgumentException.class, () -> estimator.predictWaitNanos(-1, 0, 1));
        assertThrows(IllegalArgumentException.class, () -> estimator.predictWaitNanos(0, -1, 1));
        assertThrows(IllegalArgumentException.class, () -> estimator.observe(-1));
        assertThrows(IllegalArgumentException.class, () -> new WaitEstimator(Duration.ZERO));
        assertThrows(IllegalArgumentException.class, () -> new WaitEstimator(Duration.ofSeconds(1), 0));
        assertThrows(IllegalArgumentException.class, () -> new WaitEstimator(Duration.ofSeconds(1), 1.5));
    }
}
