package io.infergate.server.metrics;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * How a thread fed from the event loops (the access log's writer, tracing's sender) sleeps, and how
 * a loop wakes it: the loop pays for the unpark's system call only when the thread is asleep, and
 * once per sleep. The flag is up before the thread's last look for work, so work offered after that
 * look finds it up and wakes the thread; an unpark before the park makes the park return at once.
 */
public final class Sleeper {

    private final Thread thread;
    private final AtomicBoolean asleep = new AtomicBoolean();

    public Sleeper(Thread thread) {
        this.thread = thread;
    }

    /** On the thread: until {@link #wake} or an unpark, unless {@code workDue} already holds. */
    public void sleep(BooleanSupplier workDue) {
        sleepAtMost(workDue, -1);
    }

    /** As {@link #sleep}, and at most {@code nanos} when it is positive. */
    public void sleepAtMost(BooleanSupplier workDue, long nanos) {
        asleep.set(true);
        if (!workDue.getAsBoolean()) {
            if (nanos > 0) {
                LockSupport.parkNanos(this, nanos);
            } else {
                LockSupport.park(this);
            }
        }
        asleep.set(false);
    }

    /** After an offer: wakes the thread if it sleeps. One volatile read when it does not. */
    public void wake() {
        if (asleep.get() && asleep.compareAndSet(true, false)) {
            LockSupport.unpark(thread);
        }
    }

    /** Once the thread has been told to stop: wakes it, and whether it ended within {@code timeoutNanos}. */
    public boolean wakeAndAwaitEnd(long timeoutNanos) throws InterruptedException {
        LockSupport.unpark(thread);
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
        return !thread.isAlive();
    }
}
