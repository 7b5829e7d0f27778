package io.infergate.testing;

import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/** Bounded polling for conditions that no event announces. */
public final class Await {

    private Await() {}

    public static void until(String what, Duration limit, BooleanSupplier condition) {
        long deadline = System.nanoTime() + limit.toNanos();
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out after " + limit + " waiting until " + what);
            }
            LockSupport.parkNanos(Duration.ofMillis(10).toNanos());
        }
    }

    /** A condition that may throw on the way, such as one that makes a request; a throw counts as not yet. */
    @FunctionalInterface
    public interface Check {
        boolean holds() throws Exception;
    }

    /**
     * Like {@link #until}, for a condition that may throw while it does not hold yet: an exception,
     * or a failed assertion (a meter read before it is registered, say).
     */
    public static void untilHolds(String what, Duration limit, Check check) {
        Throwable[] last = new Throwable[1];
        try {
            until(what, limit, () -> {
                try {
                    return check.holds();
                } catch (Exception | AssertionError notYet) {
                    last[0] = notYet;
                    return false;
                }
            });
        } catch (AssertionError timedOut) {
            if (last[0] != null) {
                timedOut.initCause(last[0]); // what the last try said
            }
            throw timedOut;
        }
    }
}
