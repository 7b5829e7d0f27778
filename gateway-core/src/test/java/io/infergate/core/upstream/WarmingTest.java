package io.infergate.core.upstream;

import io.infergate.core.FakeTicker;
import io.infergate.core.upstream.Warming.Entry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class WarmingTest {

    private static final long SECOND = Duration.ofSeconds(1).toNanos();
    private static final long PROBE_EVERY = 5 * SECOND;
    private static final long UNKNOWN_ETA = -1;

    private final FakeTicker ticker = new FakeTicker();
    private final Warming warming = new Warming(ticker);
    private final List<String> released = new ArrayList<>();

    private Warming.Waiter waiter(String name) {
        return asProbe -> released.add(name + (asProbe ? ":probe" : ""));
    }

    @Test
    void aWarmEndpointLetsEveryRequestThrough() {
        assertEquals(Entry.READY, warming.enter(waiter("a"), SECOND));
        assertEquals(Entry.READY, warming.enter(waiter("b"), SECOND));
        assertFalse(warming.isWarming());
    }

    @Test
    void whileWarmingRequestsWaitUntilTheProbeIsDueAndOnlyOneProbeFlies() {
        assertEquals(PROBE_EVERY, warming.markLoading(false, UNKNOWN_ETA, PROBE_EVERY));
        assertTrue(warming.isWarming());
        assertEquals(Entry.WAIT, warming.enter(waiter("a"), 60 * SECOND));
        assertEquals(Entry.WAIT, warming.enter(waiter("b"), 60 * SECOND));

        ticker.advance(Duration.ofNanos(PROBE_EVERY - 1));
        warming.probeDue();
        assertEquals(List.of(), released, "not due yet");

        ticker.advance(Duration.ofNanos(1));
        warming.probeDue();
        warming.probeDue();
        assertEquals(List.of("a:probe"), released, "one probe, the first to arrive");
        assertEquals(Entry.WAIT, warming.enter(waiter("c"), 60 * SECOND), "no second probe while one flies");
        assertEquals(2, warming.waiting());
    }

    @Test
    void aRequestArrivingWhenTheProbeIsDueAndNobodyWaitsIsTheProbe() {
        warming.markLoading(false, UNKNOWN_ETA, PROBE_EVERY);
        ticker.advance(Duration.ofNanos(PROBE_EVERY));
        assertEquals(Entry.PROBE, warming.enter(waiter("a"), 60 * SECOND));
        assertEquals(Entry.WAIT, warming.enter(waiter("b"), 60 * SECOND));
    }

    @Test
    void aProbeThatFindsTheModelLoadedReleasesEveryWaiterInArrivalOrder() {
        warming.markLoading(false, UNKNOWN_ETA, PROBE_EVERY);
        warming.enter(waiter("a"), 60 * SECOND);
        warming.enter(waiter("b"), 60 * SECOND);
        warming.enter(waiter("c"), 60 * SECOND);
        ticker.advance(Duration.ofNanos(PROBE_EVERY));
        warming.probeDue();

        warming.markReady();

        assertEquals(List.of("a:probe", "b", "c"), released);
        assertFalse(warming.isWarming());
        assertEquals(0, warming.waiting());
        assertEquals(Entry.READY, warming.enter(waiter("d"), SECOND));
    }

    @Test
    void aProbeAnsweredLoadingAgainSchedulesTheNextOneAndKeepsTheOthersWaiting() {
        warming.markLoading(false, UNKNOWN_ETA, PROBE_EVERY);
        warming.enter(waiter("a"), 60 * SECOND);
        warming.enter(waiter("b"), 60 * SECOND);
        ticker.advance(Duration.ofNanos(PROBE_EVERY));
        warming.probeDue();

        assertEquals(PROBE_EVERY, warming.markLoading(true, UNKNOWN_ETA, PROBE_EVERY));
        warming.probeDue();
        assertEquals(List.of("a:probe"), released, "the next probe waits its interval");
        ticker.advance(Duration.ofNanos(PROBE_EVERY));
        warming.probeDue();
        assertEquals(List.of("a:probe", "b:probe"), released);
        assertEquals(1, warming.coldStarts(), "one cold start, probed twice");
    }

    @Test
    void anotherRequestAnsweredLoadingDoesNotEndTheProbesFlight() {
        warming.markLoading(false, UNKNOWN_ETA, PROBE_EVERY);
        ticker.advance(Duration.ofNanos(PROBE_EVERY));
        assertEquals(Entry.PROBE, warming.enter(waiter("probe"), 60 * SECOND));
        warming.markLoading(false, UNKNOWN_ETA, PROBE_EVERY);
        ticker.advance(Duration.ofNanos(PROBE_EVERY));
        assertEquals(Entry.WAIT, warming.enter(waiter("a"), 60 * SECOND));
        warming.probeDue();
        assertEquals(List.of(), released, "the first probe is still out");
    }

    @Test
    void theEndpointsEstimateSetsTheNextProbeAndTurnsAwayRequestsThatCannotWaitThatLong() {
        assertEquals(3 * SECOND, warming.markLoading(false, 3 * SECOND, PROBE_EVERY), "the estimate, when sooner");
        assertEquals(Entry.TOO_LONG, warming.enter(waiter("hurried"), 3 * SECOND - 1));
        assertEquals(Entry.WAIT, warming.enter(waiter("patient"), 3 * SECOND));
        assertEquals(3 * SECOND, warming.nanosUntilReady());

        assertEquals(PROBE_EVERY, warming.markLoading(false, 20 * SECOND, PROBE_EVERY), "at most the interval");
        ticker.advance(Duration.ofSeconds(4));
        assertEquals(16 * SECOND, warming.nanosUntilReady());
    }

    @Test
    void aProbeThatEndsWithoutAVerdictHandsOverAfterThePause() {
        warming.markLoading(false, UNKNOWN_ETA, PROBE_EVERY);
        ticker.advance(Duration.ofNanos(PROBE_EVERY));
        assertEquals(Entry.PROBE, warming.enter(waiter("probe"), 60 * SECOND));
        assertEquals(Entry.WAIT, warming.enter(waiter("a"), 60 * SECOND));

        assertEquals(2 * SECOND, warming.probeEnded(2 * SECOND));
        warming.probeDue();
        assertEquals(List.of(), released);
        ticker.advance(Duration.ofSeconds(2));
        warming.probeDue();
        assertEquals(List.of("a:probe"), released);
        assertEquals(0, warming.probeEnded(0), "the handed-over probe ends");
        assertEquals(-1, warming.probeEnded(0), "a second end of the same flight is ignored");
    }

    @Test
    void aWaiterThatLeavesIsNeverReleased() {
        warming.markLoading(false, UNKNOWN_ETA, PROBE_EVERY);
        Warming.Waiter a = waiter("a");
        warming.enter(a, 60 * SECOND);
        warming.enter(waiter("b"), 60 * SECOND);
        warming.leave(a);
        warming.markReady();
        assertEquals(List.of("b"), released);
    }

    @Test
    void aReleasedWaiterMayEnterAgainFromAnotherThreadWithoutDeadlock() throws InterruptedException {
        warming.markLoading(false, UNKNOWN_ETA, PROBE_EVERY);
        CountDownLatch entered = new CountDownLatch(1);
        warming.enter(asProbe -> {
            Thread other = new Thread(() -> {
                warming.enter(waiter("again"), SECOND);
                entered.countDown();
            });
            other.start();
            try {
                other.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }, 60 * SECOND);
        warming.markReady();
        assertTrue(entered.await(5, TimeUnit.SECONDS), "the release ran outside the lock");
    }
}
