package io.infergate.core.resilience;

import io.infergate.core.FakeTicker;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RetryBudgetTest {

    private final FakeTicker ticker = new FakeTicker();

    private static int retriesGranted(RetryBudget budget, int asked) {
        int granted = 0;
        for (int i = 0; i < asked; i++) {
            granted += budget.tryRetry() ? 1 : 0;
        }
        return granted;
    }

    @Test
    void withNoTrafficOnlyTheFloorIsAvailable() {
        RetryBudget budget = new RetryBudget(20, 3, Duration.ofSeconds(10), ticker);
        assertEquals(30, retriesGranted(budget, 100), "3 per second over a 10 s window");
    }

    @Test
    void retriesStayUnderThePercentOfRequestsPlusTheFloor() {
        RetryBudget budget = new RetryBudget(20, 0, Duration.ofSeconds(10), ticker);
        for (int i = 0; i < 1000; i++) {
            budget.onRequest();
        }
        assertEquals(200, retriesGranted(budget, 1000));
        assertFalse(budget.tryRetry());
        for (int i = 0; i < 5; i++) {
            budget.onRequest();
        }
        assertTrue(budget.tryRetry(), "five more requests earn one more retry");
    }

    @Test
    void oldRequestsAndRetriesLeaveTheWindow() {
        RetryBudget budget = new RetryBudget(10, 0, Duration.ofSeconds(10), ticker);
        for (int i = 0; i < 100; i++) {
            budget.onRequest();
        }
        assertEquals(10, retriesGranted(budget, 50));
        ticker.advance(Duration.ofSeconds(9));
        assertEquals(0, retriesGranted(budget, 1), "still inside the window");
        ticker.advance(Duration.ofSeconds(1));
        assertEquals(0, retriesGranted(budget, 1), "the earning requests left with the spent retries");
        for (int i = 0; i < 30; i++) {
            budget.onRequest();
        }
        assertEquals(3, retriesGranted(budget, 10));
    }

    @Test
    void aPersistentlyFailingUpstreamSeesABoundedNumberOfRetriesWhateverTheLoad() {
        RetryBudget budget = new RetryBudget(20, 3, Duration.ofSeconds(10), ticker);
        long granted = 0;
        for (int second = 0; second < 60; second++) {
            for (int r = 0; r < 500; r++) {
                budget.onRequest();
                granted += budget.tryRetry() ? 1 : 0;
            }
            ticker.advance(Duration.ofSeconds(1));
        }
        assertTrue(granted <= 60 * (500 * 20 / 100 + 3), "granted " + granted);
        assertTrue(granted >= 60 * 500 * 20 / 100 - 500, "granted " + granted);
    }
}
