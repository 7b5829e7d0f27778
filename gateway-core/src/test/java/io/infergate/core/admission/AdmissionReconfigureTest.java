package io.infergate.core.admission;

import io.infergate.core.FakeTicker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reload's new limits for a route that keeps its queue: the waiters are judged again, the permits stay out. */
class AdmissionReconfigureTest {

    private static final Duration LONG = Duration.ofSeconds(60);

    private final FakeTicker ticker = new FakeTicker();
    private final AtomicInteger capacity = new AtomicInteger(1);
    private final WaitEstimator estimator = new WaitEstimator(Duration.ofSeconds(1));
    private final AdmissionController controller = new AdmissionController(settings(8, Duration.ofSeconds(30)),
            capacity::get, () -> RouteLoad.UNKNOWN, estimator, ticker);

    private static AdmissionSettings settings(int queue, Duration maxQueueWait) {
        return new AdmissionSettings(1, queue, maxQueueWait, 0.95, 32, 1.0);
    }

    private Ticket acquire(Tier tier, Duration timeout) {
        long now = ticker.nanoTime();
        return controller.acquire(new Request("t-" + now, tier, now, now + timeout.toNanos()));
    }

    private static Verdict verdict(Ticket ticket) {
        return ticket.outcome().map(Outcome::verdict).orElse(null);
    }

    @Test
    void moreCapacityAdmitsTheWaitersAtOnce() {
        Ticket held = acquire(Tier.STANDARD, LONG);
        Ticket a = acquire(Tier.STANDARD, LONG);
        Ticket b = acquire(Tier.STANDARD, LONG);
        assertNull(verdict(a));

        AtomicInteger wider = new AtomicInteger(3);
        controller.reconfigure(settings(8, Duration.ofSeconds(30)), wider::get, () -> RouteLoad.UNKNOWN);

        assertEquals(Verdict.ADMITTED, verdict(held));
        assertEquals(Verdict.ADMITTED, verdict(a));
        assertEquals(Verdict.ADMITTED, verdict(b));
        assertEquals(3, controller.inFlight());
    }

    @Test
    void aSmallerQueueShedsItsLowestWaitersAsFull() {
        acquire(Tier.STANDARD, LONG);
        ticker.advance(Duration.ofMillis(1));
        Ticket premium = acquire(Tier.PREMIUM, LONG);
        ticker.advance(Duration.ofMillis(1));
        Ticket first = acquire(Tier.STANDARD, LONG);
        ticker.advance(Duration.ofMillis(1));
        Ticket second = acquire(Tier.STANDARD, LONG);
        ticker.advance(Duration.ofMillis(1));
        Ticket free = acquire(Tier.FREE, LONG);

        controller.reconfigure(settings(2, Duration.ofSeconds(30)), capacity::get, () -> RouteLoad.UNKNOWN);

        assertNull(verdict(premium));
        assertNull(verdict(first));
        assertEquals(Verdict.QUEUE_FULL, verdict(second), "latest of the lowest tier left goes");
        assertEquals(Verdict.QUEUE_FULL, verdict(free), "the lowest tier goes first");
        assertEquals(2, controller.queueDepth());
        assertTrue(second.outcome().orElseThrow().retryAfterSeconds() > 0, "told when to come back");
    }

    @Test
    void aShorterMaxQueueWaitShedsTheWaitersItNoLongerAllows() {
        acquire(Tier.STANDARD, LONG);
        Ticket next = acquire(Tier.STANDARD, LONG);   // 1 s predicted: the holder's service time
        Ticket after = acquire(Tier.STANDARD, LONG);  // 2 s predicted

        controller.reconfigure(settings(8, Duration.ofMillis(1500)), capacity::get, () -> RouteLoad.UNKNOWN);

        assertNull(verdict(next));
        assertEquals(Verdict.SHED_PAST_DEADLINE, verdict(after));
        assertEquals(1, controller.queueDepth());
    }

    @Test
    void permitsOutStayCountedAgainstTheNewCapacity() {
        Ticket a = acquire(Tier.STANDARD, LONG);
        AtomicInteger two = new AtomicInteger(2);
        controller.reconfigure(settings(8, Duration.ofSeconds(30)), two::get, () -> RouteLoad.UNKNOWN);
        Ticket b = acquire(Tier.STANDARD, LONG);
        Ticket c = acquire(Tier.STANDARD, LONG);

        assertEquals(Verdict.ADMITTED, verdict(a));
        assertEquals(Verdict.ADMITTED, verdict(b));
        assertNull(verdict(c), "the permit from before the reload still holds its slot");
        controller.release(a.outcome().orElseThrow().permit());
        assertEquals(Verdict.ADMITTED, verdict(c));
    }
}
