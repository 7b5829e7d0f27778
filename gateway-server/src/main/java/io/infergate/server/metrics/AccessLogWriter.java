package io.infergate.server.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

/**
 * The access log's one thread: takes records off the queue, formats them and writes them out in
 * batches, when the queue is momentarily empty or when {@link #BATCH_BYTES} have gathered.
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
 * for a free core instead of taking one from an event loop.
 */
final class AccessLogWriter implements Runnable {

    private static final Logger log = LoggerFactory.getLogger(AccessLogWriter.class);

    static final int BATCH_BYTES = 64 * 1024;
    /** Records moved off the queue at a time, then formatted, so a full queue frees room as it goes. */
    private static final int TAKE = 256;
    private static final long MIN_NAP = TimeUnit.MILLISECONDS.toNanos(1);
    private static final long MAX_NAP = TimeUnit.MILLISECONDS.toNanos(64);

    private final HandOff<ExchangeRecord> queue;
    private final LineSink sink;
    private final LongAdder dropped;
    private final AccessLogLine lines = new AccessLogLine();
    private final List<ExchangeRecord> taken = new ArrayList<>(TAKE);
    private final Thread thread;
    private final Sleeper sleeper;
    private volatile boolean stopping;
    private int linesPending;
    private boolean failing;

    AccessLogWriter(HandOff<ExchangeRecord> queue, LineSink sink, LongAdder dropped, String threadName) {
        this.queue = queue;
        this.sink = sink;
        this.dropped = dropped;
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
            if (queue.drainTo(taken, TAKE) > 0) {
                format();
                nap = Math.max(MIN_NAP, nap / 2);
                continue;
            }
            writeOut();
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

    private void format() {
        for (ExchangeRecord record : taken) {
            int mark = lines.size();
            try {
                lines.append(record);
                linesPending++;
            } catch (RuntimeException e) { // a bug here must cost a line, not the thread and every line after
                lines.truncate(mark);
                dropped.increment();
                log.error("access log: a line could not be formatted", e);
            }
            if (lines.size() >= BATCH_BYTES) {
                writeOut();
            }
        }
        taken.clear();
    }

    /** Lines the sink refuses are lost; they count as dropped, and one warning says so until it accepts again. */
    private void writeOut() {
        if (linesPending == 0) {
            return;
        }
        try {
            sink.write(lines.bytes(), lines.size());
            if (failing) {
                failing = false;
                log.info("access log: writing to {} works again", sink.name());
            }
        } catch (IOException e) {
            dropped.add(linesPending);
            if (!failing) {
                failing = true;
                log.warn("access log: writing to {} failed, its lines are dropped: {}", sink.name(), e.toString());
            }
        }
        lines.clear();
        linesPending = 0;
    }

    /** After an offer: wakes the thread if it sleeps. One volatile read when it does not. */
    void wake() {
        sleeper.wake();
    }

    /** Asks the thread to write out everything queued and close the sink; whether it did within {@code timeoutNanos}. */
    boolean stop(long timeoutNanos) throws InterruptedException {
        stopping = true;
        LockSupport.unpark(thread);
        thread.join(Math.max(1, TimeUnit.NANOSECONDS.toMillis(timeoutNanos)));
        return !thread.isAlive();
    }
}
