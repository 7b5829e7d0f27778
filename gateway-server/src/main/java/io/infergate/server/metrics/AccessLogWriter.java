package io.infergate.server.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log's thread: takes records off the queue, formats them and writes them out in batches
 * ({@link LineBatch}), when the queue is momentarily empty or when 64 KiB have gathered.
 *
 * <p>The event loops never wake it per line, which would cost them a system call each: it naps
 * between looks at the queue. A look that finds lines halves the nap, down to {@link #MIN_NAP}; one
 * that finds none doubles it, up to {@link #MAX_NAP}, so a line waits at most about that long. Under
 * load it looks every millisecond; a quiet gateway's writer wakes a few dozen times a second rather
 * than a thousand (with a fixed 1 ms nap it used 2 % of a core at 20 requests a second). Once a
 * longest nap has found nothing it sleeps until the next record's writer wakes it ({@link #wake}),
 * so an idle gateway costs nothing.
 *
 * <p>Why so short a nap under load: with 10 ms naps and 64 KiB writes the thread used a quarter less
 * CPU, but its bursts of formatting added about 50 µs (10-69) to the p99 of a single client's
 * requests in 8 of 8 interleaved rounds; larger writes alone saved nothing measurable.
 *
 * <p>It runs in Linux's idle scheduling class ({@link IdleScheduling}), so even its short bursts wait
 * for a free core instead of taking one from an event loop. On a machine with no idle core it gets
 * almost nothing; then {@link AccessLogBackstop}, in the normal class, writes the lines instead.
 */
final class AccessLogWriter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);

    private static final long MIN_NAP = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_NAP = TimeUnit.MILLISECONDS.toNanos(64);

    private final HandOff<ExchangeRecord> queue;
    private final LineSink sink;
    private final LineBatch batch;
    private final Thread thread;
    private final Sleeper sleeper;
    private volatile boolean stopping;

    AccessLogWriter(HandOff<ExchangeRecord> queue, LineSink sink, LineBatch batch, String threadName) {
        this.queue = queue;
        this.sink = sink;
        this.batch = batch;
        this.thread = new Thread(this, threadName);
        thread.setDaemon(true); // a sink stuck for good must not keep the process alive
        this.sleeper = new Sleeper(thread);
    }

    void start() {
        thread.start();
    }

    @Override
    public void run() {
        IdleScheduling.enter(); // its bursts must never take a core from an event loop
        long nap = MIN_NAP;
        while (true) {
            boolean stop = stopping; // read before the look, so a stop sees everything queued before it
            if (batch.takeAndFormat()) {
                nap = Math.max(MIN_NAP, nap / 2);
                continue;
            }
            batch.writeOut();
            if (stop) {
                break;
            }
            if (nap <= MAX_NAP) {
                LockSupport.parkNanos(this, nap);
                nap *= 2;
            } else {
                sleeper.sleep(() -> !queue.isEmpty() || stopping);
                nap = MIN_NAP;
            }
        }
        try {
            sink.close();
        } catch (IOException e) {
            log.warn("access log: closing {} failed: {}", sink.name(), e.toString());
        }
    }

    /** After an offer: wakes the thread if it sleeps. One volatile read when it does not. */
    void wake() {
        sleeper.wake();
    }

    /** Asks the thread to write out everything queued and close the sink; whether it did within {@code timeoutNanos}. */
    boolean stop(long timeoutNanos) throws InterruptedException {
        stopping = true;
        return sleeper.wakeAndAwaitEnd(timeoutNanos);
    }
}
