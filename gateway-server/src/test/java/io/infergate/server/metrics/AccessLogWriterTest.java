package io.infergate.server.metrics;

import io.infergate.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The access log's queue and writer thread, on an output the test holds: drops, batches, close, files. */
class AccessLogWriterTest {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final long START = 1_000_000_000L;

    private final List<AccessLog> opened = new ArrayList<>();

    @AfterEach
    void closeAll() {
        opened.forEach(AccessLog::close);
    }

    private AccessLog start(LineSink sink, int capacity) {
        AccessLog log = AccessLog.start(sink, capacity);
        opened.add(log);
        return log;
    }

    private static ExchangeRecord record(int i) {
        ExchangeRecord record = new ExchangeRecord(1_777_636_800_250L, START, "req-" + i, "POST", "/generate", "main");
        record.finished(START + 1_000_000, 200, "success", false, false, false);
        return record;
    }

    @Test
    void aStuckOutputCostsLinesCountedAsDroppedAndNeverTheCallersTime() throws Exception {
        HeldSink sink = new HeldSink();
        AccessLog log = start(sink, 100);
        log.write(record(0));
        assertTrue(sink.entered.await(5, TimeUnit.SECONDS), "the writer is inside the output, held there");

        assertTimeoutPreemptively(WAIT, () -> {
            for (int i = 1; i <= 1000; i++) {
                log.write(record(i));
            }
        }, "a write never waits for the output");
        // The queue holds 100; the backstop, held in the output too, holds at most a batch and a take.
        long dropped = log.dropped();
        assertTrue(dropped >= 1000 - 100 - 256 - LineBatch.BATCH_BYTES / AccessLogLine.format(record(0)).length(),
                "dropped: " + dropped);

        sink.release.countDown();
        log.close();
        assertEquals(1001, sink.lines().size() + dropped, "every line written or counted");
        assertEquals(dropped, log.dropped());
    }

    @Test
    void linesQueuedWhileTheOutputIsBusyGoOutInOneWrite() throws Exception {
        HeldSink sink = new HeldSink();
        AccessLog log = start(sink, 1000);
        log.write(record(0));
        assertTrue(sink.entered.await(5, TimeUnit.SECONDS));
        for (int i = 1; i <= 100; i++) {
            log.write(record(i));
        }

        sink.release.countDown();
        Await.until("101 lines out", WAIT, () -> sink.lines().size() == 101);
        assertEquals(2, sink.writes.size(), "the first line alone, then the hundred queued behind it together");
        assertEquals(0, log.dropped());
        List<String> lines = sink.lines();
        for (int i = 0; i <= 100; i++) {
            assertTrue(lines.get(i).contains("\"requestId\":\"req-" + i + "\""), "in order: " + lines.get(i));
        }
    }

    @Test
    void aBatchGoesOutOnceItHolds64KiBAndEveryWriteEndsWithAWholeLine() throws Exception {
        HeldSink sink = new HeldSink();
        AccessLog log = start(sink, 10_000); // far from the quarter at which the backstop would help
        log.write(record(0));
        assertTrue(sink.entered.await(5, TimeUnit.SECONDS));
        int queued = 2 * LineBatch.BATCH_BYTES / AccessLogLine.format(record(0)).length() + 10;
        for (int i = 1; i <= queued; i++) {
            log.write(record(i));
        }

        sink.release.countDown();
        log.close();
        assertEquals(queued + 1, sink.lines().size());
        assertEquals(4, sink.writes.size(), "the held line, two full batches, the rest");
        for (int i = 1; i < 3; i++) {
            int size = sink.writes.get(i).length;
            assertTrue(size >= LineBatch.BATCH_BYTES && size < LineBatch.BATCH_BYTES + 1024, "batch " + i + ": " + size);
        }
        for (byte[] write : sink.writes) {
            assertEquals('\n', write[write.length - 1]);
        }
    }

    @Test
    void aLoneLineIsWrittenOutThoughNoMoreCome() throws Exception {
        HeldSink sink = new HeldSink();
        sink.release.countDown();
        AccessLog log = start(sink, 10);
        log.write(record(7));

        Await.until("the line written within the flush interval, with nothing behind it", WAIT,
                () -> sink.lines().size() == 1);
        assertTrue(sink.lines().get(0).contains("\"requestId\":\"req-7\""));
        assertEquals(0, log.dropped());
    }

    @Test
    void closeWritesOutEveryQueuedLineAndClosesTheOutput() {
        HeldSink sink = new HeldSink();
        sink.release.countDown();
        AccessLog log = start(sink, 10_000);
        for (int i = 0; i < 5_000; i++) {
            log.write(record(i));
        }

        log.close();
        assertEquals(5_000, sink.lines().size());
        assertTrue(sink.closed);
        assertTrue(sink.writes.size() < 5_000, "written in batches: " + sink.writes.size() + " writes");
        assertEquals(0, log.dropped());
    }

    @Test
    void aLineWrittenAfterCloseIsDroppedAndCounted() {
        HeldSink sink = new HeldSink();
        sink.release.countDown();
        AccessLog log = start(sink, 10);
        log.close();

        log.write(record(1));
        assertEquals(1, log.dropped());
        assertEquals(List.of(), sink.lines());
    }

    @Test
    void aBatchTheOutputRefusesIsCountedAndTheNextOneGoesOut() throws Exception {
        HeldSink sink = new HeldSink();
        sink.failures.set(1);
        AccessLog log = start(sink, 10);
        log.write(record(0));
        Await.until("the refused line counted", WAIT, () -> log.dropped() == 1);

        sink.release.countDown();
        log.write(record(1));
        log.close();
        assertEquals(1, sink.lines().size());
        assertTrue(sink.lines().get(0).contains("\"requestId\":\"req-1\""));
        assertEquals(1, log.dropped());
    }

    @Test
    void theWriterAndItsBackstopAreDaemonThreadsAndCloseEndsBoth() {
        HeldSink sink = new HeldSink();
        sink.release.countDown();
        List<Thread> before = logThreads();
        AccessLog log = start(sink, 10);
        List<Thread> threads = new ArrayList<>(logThreads());
        threads.removeAll(before);
        assertEquals(List.of(AccessLog.THREAD, AccessLog.BACKSTOP_THREAD),
                threads.stream().map(Thread::getName).sorted().toList());
        assertTrue(threads.stream().allMatch(Thread::isDaemon));

        log.close();
        assertTrue(threads.stream().noneMatch(Thread::isAlive));
    }

    @Test
    void whileTheWriterIsHeldUpTheBackstopWritesTheLinesAndNoneIsLost() throws Exception {
        HeldSink sink = new HeldSink();
        sink.holdOnly = AccessLog.THREAD;
        AccessLog log = start(sink, 100);
        log.write(record(0));
        assertTrue(sink.entered.await(5, TimeUnit.SECONDS), "the writer is inside the output, held there");

        int written = 1;
        for (int chunk = 0; chunk < 8; chunk++) {
            for (int i = 0; i < 50; i++) {
                log.write(record(written++));
            }
            int expected = written - 1 - (100 / 4 - 1); // the held line, and what stays queued below a quarter
            Await.until("the backstop wrote the chunk", WAIT, () -> sink.lines().size() >= expected);
        }
        assertEquals(0, log.dropped());
        assertEquals(List.of(AccessLog.THREAD), sink.writers.stream().filter(AccessLog.THREAD::equals).toList(),
                "the writer made only its held write; every other came from the backstop");

        sink.release.countDown();
        log.close();
        assertEquals(written, sink.lines().size(), "the held line and all 400 behind it");
        assertEquals(0, log.dropped());
    }

    @Test
    void onAMachineWithNoIdleCoreTheBackstopKeepsTheLinesGoingOut() throws Exception {
        HeldSink sink = new HeldSink();
        sink.release.countDown();
        AccessLog log = start(sink, 20_000);
        AtomicBoolean spin = new AtomicBoolean(true);
        List<Thread> spinners = new ArrayList<>();
        for (int i = 0; i < Runtime.getRuntime().availableProcessors(); i++) {
            Thread spinner = new Thread(() -> {
                while (spin.get()) {
                    Thread.onSpinWait();
                }
            }, "busy-core-" + i);
            spinner.setDaemon(true);
            spinner.start();
            spinners.add(spinner);
        }
        try {
            // Each burst is some 15 ms of formatting: for the idle-class writer alone, with every core
            // busy, that took seconds; the backstop gets its share of a core.
            int written = 0;
            for (int burst = 0; burst < 4; burst++) {
                for (int i = 0; i < 10_000; i++) {
                    log.write(record(written++));
                }
                int expected = written - (20_000 / 4 - 1); // what stays queued below a quarter may wait
                Await.until("the burst written while every core is busy", WAIT, () -> sink.lines().size() >= expected);
            }
            assertEquals(0, log.dropped());
            assertTrue(sink.writers.contains(AccessLog.BACKSTOP_THREAD), "the backstop wrote: " + sink.writers.size());
        } finally {
            spin.set(false);
            for (Thread spinner : spinners) {
                spinner.join();
            }
        }
        log.close();
        assertEquals(40_000, sink.lines().size());
        assertEquals(0, log.dropped());
    }

    @Test
    @EnabledOnOs(OS.LINUX)
    void theWriterRunsInTheIdleSchedulingClassSoItNeverTakesACoreFromALoop() throws Exception {
        HeldSink sink = new HeldSink();
        AccessLog log = start(sink, 100);
        log.write(record(1));
        assertTrue(sink.entered.await(WAIT.toMillis(), TimeUnit.MILLISECONDS), "the writer reached its output");
        try {
            assertEquals(IdleScheduling.SCHED_IDLE, IdleScheduling.policyOf(sink.writerThreadId));
        } finally {
            sink.release.countDown();
        }
    }

    @Test
    void anOffLogWritesNothingAndDropsNothing() {
        AccessLog.OFF.write(record(0));
        AccessLog.OFF.close();
        assertEquals(0, AccessLog.OFF.dropped());
    }

    @Test
    void aFileIsAppendedToAndAfterCopytruncateTheNextLinesStartItAgain(@TempDir Path dir) throws Exception {
        Path file = dir.resolve("access.log");
        Files.writeString(file, "kept\n");
        AccessLog log = start(LineSink.appendTo(file), 100);
        log.write(record(1));
        log.write(record(2));
        Await.until("two lines in the file", WAIT, () -> lines(file).size() == 3);
        assertEquals("kept", lines(file).get(0));

        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.truncate(0); // what logrotate's copytruncate does once it has copied the file
        }
        log.write(record(3));
        log.close();

        byte[] bytes = Files.readAllBytes(file);
        assertFalse(new String(bytes, StandardCharsets.UTF_8).contains("\0"), "no hole where the copied lines were");
        List<String> after = lines(file);
        assertEquals(1, after.size(), after.toString());
        assertTrue(after.get(0).startsWith("{\"time\":") && after.get(0).contains("\"requestId\":\"req-3\""), after.get(0));
    }

    private static List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private static List<Thread> logThreads() {
        return Thread.getAllStackTraces().keySet().stream()
                .filter(t -> t.getName().equals(AccessLog.THREAD) || t.getName().equals(AccessLog.BACKSTOP_THREAD)).toList();
    }

    /** Holds the writer inside its first write until released; records every write; fails the first {@code failures}. */
    private static final class HeldSink implements LineSink {
        final CountDownLatch entered = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger failures = new AtomicInteger();
        final List<byte[]> writes = new CopyOnWriteArrayList<>();
        volatile boolean closed;
        final List<String> writers = new CopyOnWriteArrayList<>();
        volatile String writerThreadId;
        /** The one thread held, by name; all when null. */
        volatile String holdOnly;

        @Override
        public void write(byte[] bytes, int length) throws IOException {
            if (failures.getAndDecrement() > 0) {
                throw new IOException("refused");
            }
            String thread = Thread.currentThread().getName();
            if (holdOnly != null && !holdOnly.equals(thread)) {
                writers.add(thread);
                writes.add(Arrays.copyOf(bytes, length));
                return;
            }
            writers.add(thread);
            writerThreadId = IdleScheduling.currentThreadId();
            entered.countDown();
            try {
                release.await();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            writes.add(Arrays.copyOf(bytes, length));
        }

        @Override
        public void close() {
            closed = true;
        }

        @Override
        public String name() {
            return "held";
        }

        List<String> lines() {
            List<String> lines = new ArrayList<>();
            for (byte[] write : writes) {
                lines.addAll(new String(write, StandardCharsets.UTF_8).lines().toList());
            }
            return lines;
        }
    }
}
