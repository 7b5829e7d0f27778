package io.infergate.server.metrics;

/**
 * The access log's second thread, in the normal scheduling class: it sleeps while the writer keeps
 * up, and writes lines itself while the queue holds more than a quarter of its capacity, down to an
 * eighth. The writer, in the idle class, falls that far behind only when no core is idle for it
 * (every core busy with loops, the JIT or other programs), and without this thread its lines would
 * then be dropped: in {@code bench/proxy.sh}, 65,000 of some 900,000.
 *
 * <p>Its batches and the writer's can interleave, so on a saturated machine lines may leave slightly
 * out of the order their requests ended in.
 */
final class AccessLogBackstop implements Runnable {

    private final HandOff<ExchangeRecord> queue;
    private final LineBatch batch;
    private final int wakeAt;
    private final int restAt;
    private final Thread thread;
    private final Sleeper sleeper;
    private volatile boolean stopping;

    AccessLogBackstop(HandOff<ExchangeRecord> queue, int capacity, LineBatch batch, String threadName) {
        this.queue = queue;
        this.batch = batch;
        this.wakeAt = Math.max(1, capacity / 4);
        this.restAt = capacity / 8;
        this.thread = new Thread(this, threadName);
        thread.setDaemon(true);
        this.sleeper = new Sleeper(thread);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        while (!stopping) {
            sleeper.sleep(() -> queue.size() >= wakeAt || stopping);
            while (!stopping && queue.size() > restAt && batch.takeAndFormat()) {
                // the writer may be taking records too; whatever either takes goes out
            }
            batch.writeOut();
        }
    }

    /** After an offer: wakes the thread if the queue has reached its mark and the thread sleeps. */
    void wakeIfBehind() {
        if (queue.size() >= wakeAt) {
            sleeper.wake();
        }
    }

    /** Writes out what it holds and ends; whether it did within {@code timeoutNanos}. The writer writes the rest. */
    boolean stop(long timeoutNanos) throws InterruptedException {
        stopping = true;
        return sleeper.wakeAndAwaitEnd(timeoutNanos);
    }
}
