package io.infergate.server.metrics;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A real thread, the real {@code chrt}, the policy read back from {@code /proc}. */
@EnabledOnOs(OS.LINUX)
class IdleSchedulingTest {

    private static final int SCHED_OTHER = 0;

    @Test
    void theCallingThreadAloneMovesToTheIdleClass() throws Exception {
        String testThread = IdleScheduling.currentThreadId();
        assertEquals(SCHED_OTHER, IdleScheduling.policyOf(testThread), "the test's own thread starts in the normal class");

        CompletableFuture<String> moved = new CompletableFuture<>();
        CountDownLatch looked = new CountDownLatch(1);
        Thread background = new Thread(() -> {
            try {
                assertTrue(IdleScheduling.enter(), "entering the idle class succeeded");
                moved.complete(IdleScheduling.currentThreadId());
                looked.await(); // alive until the test has read its policy
            } catch (Throwable e) {
                moved.completeExceptionally(e);
            }
        }, "idle-scheduling-test");
        background.start();
        try {
            String tid = moved.get();
            assertEquals(IdleScheduling.SCHED_IDLE, IdleScheduling.policyOf(tid));
            assertEquals(SCHED_OTHER, IdleScheduling.policyOf(testThread), "the other threads of the process keep their class");
        } finally {
            looked.countDown();
            background.join();
        }
    }

    @Test
    void aThreadThatDoesNotExistHasNoPolicy() {
        assertEquals(-1, IdleScheduling.policyOf("0"));
    }
}
