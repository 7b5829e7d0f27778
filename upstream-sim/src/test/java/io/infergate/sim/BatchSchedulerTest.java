package io.infergate.sim;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static io.infergate.sim.BatchScheduler.Admission.QUEUED;
import static io.infergate.sim.BatchScheduler.Admission.REJECTED;
import static io.infergate.sim.BatchScheduler.Admission.RUNNING;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class BatchSchedulerTest {

    private final List<String> admitted = new ArrayList<>();

    private BatchScheduler.Sequence sequence(String name) {
        return new BatchScheduler.Sequence() {
            @Override
            public void admitted() {
                admitted.add(name);
            }

            @Override
            public int reservedTokens() {
                return 10;
            }
        };
    }

    @Test
    void fillsTheBatchThenTheQueueThenRefuses() {
        BatchScheduler scheduler = new BatchScheduler(2, 1, 0.5);
        assertEquals(RUNNING, scheduler.admit(sequence("a")));
        assertEquals(RUNNING, scheduler.admit(sequence("b")));
        assertEquals(QUEUED, scheduler.admit(sequence("c")));
        assertEquals(REJECTED, scheduler.admit(sequence("d")));
        assertEquals(2, scheduler.running());
        assertEquals(1, scheduler.queued());
        assertEquals(20, scheduler.reservedTokens());
    }

    @Test
    void aFreedSlotGoesToTheOldestWaiter() {
        BatchScheduler scheduler = new BatchScheduler(1, 3, 0.5);
        BatchScheduler.Sequence a = sequence("a");
        scheduler.admit(a);
        BatchScheduler.Sequence b = sequence("b");
        BatchScheduler.Sequence c = sequence("c");
        scheduler.admit(b);
        scheduler.admit(c);
        scheduler.release(a);
        scheduler.release(a);
        assertEquals(List.of("b"), admitted);
        scheduler.release(b);
        assertEquals(List.of("b", "c"), admitted);
        assertEquals(1, scheduler.maxRunningSeen());
    }

    @Test
    void aCancelledWaiterLeavesTheQueueWithoutASlot() {
        BatchScheduler scheduler = new BatchScheduler(1, 3, 0.5);
        BatchScheduler.Sequence a = sequence("a");
        BatchScheduler.Sequence b = sequence("b");
        scheduler.admit(a);
        scheduler.admit(b);
        scheduler.release(b);
        assertEquals(0, scheduler.queued());
        scheduler.release(a);
        assertEquals(List.of(), admitted);
        assertEquals(0, scheduler.running());
    }

    @Test
    void speedFallsLinearlyFromAloneToAFullBatch() {
        BatchScheduler scheduler = new BatchScheduler(5, 0, 0.6);
        assertEquals(1.0, scheduler.speedAt(1), 1e-9);
        assertEquals(0.8, scheduler.speedAt(3), 1e-9);
        assertEquals(0.6, scheduler.speedAt(5), 1e-9);
        assertEquals(1.0, new BatchScheduler(1, 0, 0.6).speedAt(1), 1e-9);
    }

    @Test
    void aSmallerBatchLetsTheRunningFinishAndALargerOneTakesFromTheQueue() {
        BatchScheduler scheduler = new BatchScheduler(2, 10, 1);
        BatchScheduler.Sequence a = sequence("a");
        BatchScheduler.Sequence b = sequence("b");
        scheduler.admit(a);
        scheduler.admit(b);
        scheduler.admit(sequence("c"));
        scheduler.admit(sequence("d"));

        scheduler.resize(1);
        scheduler.release(a);
        assertEquals(List.of(), admitted, "one still runs in a batch of one: nobody moves up");
        assertEquals(QUEUED, scheduler.admit(sequence("e")));

        scheduler.resize(3);
        assertEquals(List.of("c", "d"), admitted);
        assertEquals(3, scheduler.running());
        assertEquals(1, scheduler.queued());
        assertThrows(IllegalArgumentException.class, () -> scheduler.resize(0));
    }
}
