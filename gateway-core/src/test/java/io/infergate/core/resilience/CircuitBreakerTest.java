package io.infergate.core.resilience;

import io.infergate.core.FakeTicker;
import io.infergate.core.resilience.CircuitBreaker.Phase;
import io.infergate.core.resilience.CircuitBreaker.Transition;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class CircuitBreakerTest {

    private final FakeTicker ticker = new FakeTicker();
    private final List<Transition> transitions = new ArrayList<>();
    /** 3 failures in 10 s open it for 5 s; 2 probes when half-open. */
    private final CircuitBreaker breaker = new CircuitBreaker("tgi-1",
            new BreakerSettings(3, Duration.ofSeconds(10), Duration.ofSeconds(5), 2), ticker, transitions::add);

    private void fail(int times) {
        for (int i = 0; i < times; i++) {
            assertTrue(breaker.tryAcquire());
            breaker.onFailure();
        }
    }

    @Test
    void staysClosedBelowTheFailureCount() {
        fail(2);
        assertEquals(Phase.CLOSED, breaker.phase());
        assertTrue(breaker.tryAcquire());
        assertTrue(transitions.isEmpty());
    }

    @Test
    void opensWhenTheCountFallsInsideTheWindowAndRefusesForOpenFor() {
        fail(3);
        assertEquals(Phase.OPEN, breaker.phase());
        assertEquals(List.of(new Transition("tgi-1", Phase.CLOSED, Phase.OPEN)), transitions);
        assertFalse(breaker.tryAcquire());
        ticker.advance(Duration.ofMillis(4999));
        assertFalse(breaker.tryAcquire());
        assertEquals(Duration.ofMillis(1).toNanos(), breaker.nanosUntilProbe());
    }

    @Test
    void failuresOlderThanTheWindowAreForgotten() {
        fail(2);
        ticker.advance(Duration.ofSeconds(10));
        fail(1);
        assertEquals(Phase.CLOSED, breaker.phase(), "the first two fell out of the window exactly at its edge");
        ticker.advance(Duration.ofMillis(9999));
        fail(2);
        assertEquals(Phase.OPEN, breaker.phase(), "three within 10 s");
    }

    @Test
    void afterOpenForItLetsExactlyTheProbesThrough() {
        fail(3);
        ticker.advance(Duration.ofSeconds(5));
        assertEquals(Phase.HALF_OPEN, breaker.phase());
        assertTrue(breaker.tryAcquire());
        assertTrue(breaker.tryAcquire());
        assertFalse(breaker.tryAcquire(), "a third probe");
        breaker.onIgnored();
        assertTrue(breaker.tryAcquire(), "an ignored probe gives its place back");
    }

    @Test
    void probeSuccessClosesAndProbeFailureReopens() {
        fail(3);
        ticker.advance(Duration.ofSeconds(5));
        assertTrue(breaker.tryAcquire());
        breaker.onFailure();
        assertEquals(Phase.OPEN, breaker.phase());
        assertFalse(breaker.tryAcquire());
        ticker.advance(Duration.ofSeconds(5));
        assertTrue(breaker.tryAcquire());
        breaker.onSuccess();
        assertEquals(Phase.CLOSED, breaker.phase());
        assertEquals(List.of(Phase.OPEN, Phase.HALF_OPEN, Phase.OPEN, Phase.HALF_OPEN, Phase.CLOSED),
                transitions.stream().map(Transition::to).toList());
        fail(2);
        assertEquals(Phase.CLOSED, breaker.phase(), "closing forgets the failures that opened it");
    }

    @Test
    void lateFailureReportsWhileOpenChangeNothing() {
        fail(3);
        breaker.onFailure();
        ticker.advance(Duration.ofSeconds(5));
        assertTrue(breaker.tryAcquire(), "the open period was not extended");
    }

    @Test
    void concurrentCallersGetExactlyTheProbes() throws Exception {
        CircuitBreaker single = new CircuitBreaker("e", new BreakerSettings(1, Duration.ofSeconds(1), Duration.ofSeconds(1), 1),
                ticker, t -> { });
        single.tryAcquire();
        single.onFailure();
        ticker.advance(Duration.ofSeconds(1));
        int threads = 8;
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<Boolean>> results = new ArrayList<>();
            for (int i = 0; i < threads; i++) {
                results.add(pool.submit(() -> {
                    start.await();
                    return single.tryAcquire();
                }));
            }
            start.countDown();
            int granted = 0;
            for (Future<Boolean> result : results) {
                granted += result.get(5, TimeUnit.SECONDS) ? 1 : 0;
            }
            assertEquals(1, granted);
        } finally {
            pool.shutdownNow();
        }
    }
}
