package io.infergate.server.metrics;

import io.infergate.core.config.AccessLogConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.LongAdder;

/**
 * One JSON line per request ({@link AccessLogLine} has the fields), on stdout or appended to a file.
 * An event loop only puts the finished {@link ExchangeRecord} on a bounded queue ({@link HandOff}:
 * it never waits there, not even for a lock); the thread {@value #THREAD} formats and writes
 * ({@link AccessLogWriter}), backed by {@value #BACKSTOP_THREAD} when it falls behind
 * ({@link AccessLogBackstop}). When the queue is full the line is dropped and counted ({@link #dropped},
 * {@code gateway_access_log_dropped_total}): a slow reader of stdout or a slow disk costs lines, never
 * a loop's time or unbounded memory.
 *
 * <p>A record is the log's once written: nothing stamps it afterwards, and the queue's hand-over
 * makes its stamps visible to the writer thread. {@link #close}, once the loops have stopped,
 * writes out everything queued.
 */
public final class AccessLog implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(AccessLog.class);

    static final String THREAD = "infergate-access-log";
    static final String BACKSTOP_THREAD = "infergate-access-log-backstop";
    /** How long {@link #close} waits for the writer to finish, so a stuck stdout cannot hold up a shutdown. */
    private static final Duration CLOSE_WAIT = Duration.ofSeconds(5);

    public static final AccessLog OFF = new AccessLog();

    private final HandOff<ExchangeRecord> queue;
    private final AccessLogWriter writer;
    private final AccessLogBackstop backstop;
    private final LongAdder dropped = new LongAdder();
    private volatile boolean closed;

    private AccessLog() {
        this.queue = null;
        this.writer = null;
        this.backstop = null;
    }

    private AccessLog(LineSink sink, int capacity) {
        this.queue = new HandOff<>(capacity);
        this.writer = new AccessLogWriter(queue, sink, new LineBatch(queue, sink, dropped), THREAD);
        this.backstop = new AccessLogBackstop(queue, capacity, new LineBatch(queue, sink, dropped), BACKSTOP_THREAD);
    }

    /** The log {@code server.accessLog} asks for, its writer started; a file that cannot be opened fails here. */
    public static AccessLog open(AccessLogConfig config) throws IOException {
        if (!config.enabled()) {
            return OFF;
        }
        return start(config.file() == null ? LineSink.stdout() : LineSink.appendTo(config.file()), config.queue());
    }

    /** As {@link #open}, a file that cannot be opened named by its config key. */
    public static AccessLog openOrExplain(AccessLogConfig config) {
        try {
            return open(config);
        } catch (IOException e) {
            throw new UncheckedIOException("server.accessLog.file: cannot open " + config.file() + ": " + e, e);
        }
    }

    static AccessLog start(LineSink sink, int capacity) {
        AccessLog accessLog = new AccessLog(sink, capacity);
        accessLog.writer.start();
        accessLog.backstop.start();
        return accessLog;
    }

    /** Never blocks: the record is queued for the writer, or dropped and counted. */
    public void write(ExchangeRecord record) {
        if (queue == null) {
            return;
        }
        if (closed || !queue.offer(record)) {
            dropped.increment();
            return;
        }
        writer.wake();
        backstop.wakeIfBehind();
    }

    /** Lines lost so far: dropped at a full queue or after close, or refused by the output. */
    public long dropped() {
        return dropped.sum();
    }

    /** Writes out every line queued and closes the output; lines written after this are dropped. */
    @Override
    public synchronized void close() {
        if (queue == null || closed) {
            return;
        }
        closed = true;
        boolean done;
        try {
            // The backstop first, so that the writer, which closes the output, is the last to write.
            long deadline = System.nanoTime() + CLOSE_WAIT.toNanos();
            boolean backstopDone = backstop.stop(CLOSE_WAIT.toNanos());
            done = writer.stop(deadline - System.nanoTime()) && backstopDone;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            done = false;
        }
        // Anything left is there only because the writer is stuck, or a loop still ran.
        List<ExchangeRecord> left = new ArrayList<>();
        queue.drainTo(left, Integer.MAX_VALUE);
        dropped.add(left.size());
        if (!done) {
            log.warn("access log: its output did not take the last lines within {}; {} are dropped", CLOSE_WAIT, left.size());
        }
    }
}
