package io.infergate.server.metrics;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access log's queue: bounded, first in first out, and a full queue refuses instead of waiting. */
class HandOffTest {

    @Test
    void aFullQueueRefusesAndADrainMakesRoomAgain() {
        HandOff<Integer> queue = new HandOff<>(3);
        assertTrue(queue.isEmpty());
        for (int i = 0; i < 3; i++) {
            assertTrue(queue.offer(i));
        }
        assertFalse(queue.offer(3), "full");
        assertEquals(3, queue.size(), "a refused offer leaves no count behind");

        List<Integer> drained = new ArrayList<>();
        assertEquals(2, queue.drainTo(drained, 2));
        assertEquals(List.of(0, 1), drained, "oldest first, at most as many as asked");
        assertEquals(1, queue.size());
        assertTrue(queue.offer(4));
        assertTrue(queue.offer(5));
        assertFalse(queue.offer(6), "full again");

        assertEquals(3, queue.drainTo(drained, 10));
        assertEquals(List.of(0, 1, 2, 4, 5), drained);
        assertTrue(queue.isEmpty());
        assertEquals(0, queue.drainTo(drained, 10));
    }

    @Test
    void offersFromManyThreadsAtOnceNeverTakeMoreThanTheCapacity() throws Exception {
        int threads = 4;
        int offersEach = 10_000;
        int capacity = 5_000;
        HandOff<Integer> queue = new HandOff<>(capacity);
        CountDownLatch go = new CountDownLatch(1);
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        try {
            List<Future<Integer>> accepted = new ArrayList<>();
            for (int t = 0; t < threads; t++) {
                int producer = t;
                accepted.add(pool.submit(() -> {
                    go.await();
                    int taken = 0;
                    for (int i = 0; i < offersEach; i++) {
                        if (queue.offer(producer * offersEach + i)) {
                            taken++;
                        }
                    }
                    return taken;
                }));
            }
            go.countDown();
            int total = 0;
            for (Future<Integer> f : accepted) {
                total += f.get(10, TimeUnit.SECONDS);
            }
            assertEquals(capacity, total, "exactly the capacity is taken, the rest refused");

            List<Integer> drained = new ArrayList<>();
            assertEquals(capacity, queue.drainTo(drained, Integer.MAX_VALUE));
            int[] last = new int[threads];
            Arrays.fill(last, -1);
            for (int item : drained) {
                int producer = item / offersEach;
                assertTrue(item > last[producer], "each producer's items come out in the order it offered them");
                last[producer] = item;
            }
            assertTrue(queue.offer(-1), "drained, it takes offers again");
        } finally {
            pool.shutdownNow();
        }
    }

    @Test
    void aQueueHoldsAtLeastOne() {
        assertThrows(IllegalArgumentException.class, () -> new HandOff<Integer>(0));
    }
}
