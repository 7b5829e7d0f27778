package io.infergate.core.admission;

import io.infergate.core.FakeTicker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdmissionConcurrencyTest {

    private static final int SLOTS = 3;
    private static final int THREADS = 4;
    private static final int REQUESTS_PER_THREAD = 5_000;
    private static final Tier[] TIERS = {Tier.FREE, Tier.STANDARD, Tier.PREMIUM};

    /** A decision seen by its callback, and how many times. */
    private record Tracked(Ticket ticket, AtomicInteger decisions) {}

    @Test
    void underConcurrentUseThePermitsOutNeverExceedCapacityAndEveryTicketIsDecidedOnce() throws Exception {
        FakeTicker ticker = new FakeTicker();
        // Queue of 16 with no tenant share limit, so the queue fills, displaces and refuses.
        AdmissionController controller = new AdmissionController(
                new AdmissionSettings(1, 16, Duration.ofSeconds(30), 0.95, 32, 1.0),
                () -> SLOTS, () -> RouteLoad.UNKNOWN, new WaitEstimator(Duration.ofMillis(1)), ticker);
        AtomicInteger holding = new AtomicInteger();
        AtomicInteger overCapacity = new AtomicInteger();
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger released = new AtomicInteger();
        ConcurrentLinkedQueue<Permit> held = new ConcurrentLinkedQueue<>();
        ConcurrentLinkedQueue<Tracked> tracked = new ConcurrentLinkedQueue<>();

        ExecutorService pool = Executors.newFixedThreadPool(THREADS);
        try {
            CountDownLatch start = new CountDownLatch(1);
            List<Future<?>> workers = new ArrayList<>();
            for (int w = 0; w < THREADS; w++) {
                String tenant = "tenant-" + w;
                workers.add(pool.submit(() -> {
                    start.await();
                    for (int i = 0; i < REQUESTS_PER_THREAD; i++) {
                        long now = ticker.nanoTime();
                        Ticket ticket = controller.acquire(new Request(tenant, TIERS[i % TIERS.length], now, now + 60_000_000_000L));
                        AtomicInteger decisions = new AtomicInteger();
                        tracked.add(new Tracked(ticket, decisions));
                        ticket.decision().thenAccept(outcome -> {
                            decisions.incrementAndGet();
                            if (outcome.isAdmitted()) {
                                admitted.incrementAndGet();
                                if (holding.incrementAndGet() > SLOTS || controller.inFlight() > SLOTS) {
                                    overCapacity.incrementAndGet();
                                }
                                held.add(outcome.permit());
                            }
                        });
                        if (i % 7 == 0) {
                            controller.cancel(ticket);
                        }
                        if (i % 2 == 0) {
                            Permit permit = held.poll();
                            if (permit != null) {
                                holding.decrementAndGet();
                                released.addAndGet(controller.release(permit) ? 1 : 0);
                                released.addAndGet(controller.release(permit) ? 1 : 0);
                            }
                        }
                    }
                    return null;
                }));
            }
            start.countDown();
            for (Future<?> worker : workers) {
                worker.get(60, TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }
        for (Permit permit = held.poll(); permit != null; permit = held.poll()) {
            holding.decrementAndGet();
            released.addAndGet(controller.release(permit) ? 1 : 0);
        }

        assertEquals(0, overCapacity.get());
        assertEquals(THREADS * REQUESTS_PER_THREAD, tracked.size());
        for (Tracked t : tracked) {
            assertEquals(1, t.decisions().get(), "decided exactly once: " + t.ticket().outcome());
        }
        assertEquals(admitted.get(), released.get(), "every permit released once, the second release ignored");
        assertEquals(0, controller.inFlight());
        assertEquals(0, controller.queueDepth());
        assertTrue(admitted.get() > SLOTS * 10, "the test exercised admission: " + admitted.get());
    }
}
