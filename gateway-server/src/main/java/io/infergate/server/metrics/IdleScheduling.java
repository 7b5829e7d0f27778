package io.infergate.server.metrics;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Puts the calling thread in Linux's idle scheduling class ({@code SCHED_IDLE}), for a background
 * thread whose work can wait: it runs only on a core that has nothing else to run, and an event
 * loop that wakes takes the core from it at once.
 *
 * <p>Why: on two cores, the access log's writer woke every millisecond under load and its bursts
 * landed in the middle of requests. In one gateway, with rounds of a single client alternating the
 * writer between the classes, the idle class gave the lower p99 in 25 of 32 rounds, by 15-17 µs on
 * average; nice 5, nice 10 and {@code SCHED_BATCH} gave nothing measurable. The price: with no idle
 * core at all such a thread gets almost nothing, so whatever it serves needs a way round that (the
 * access log's {@link AccessLogBackstop}).
 *
 * <p>Java has no call for a thread's scheduling policy, so {@code chrt} (util-linux) sets it for the
 * thread's id, read from {@code /proc/thread-self}. Entering the class needs no privilege (leaving it
 * would). Where either is missing the thread stays in the normal class.
 */
final class IdleScheduling {

    private static final Logger log = LoggerFactory.getLogger(IdleScheduling.class);

    /** Linux's number for the idle policy, as {@code /proc/.../stat} reports it. */
    static final int SCHED_IDLE = 5;
    private static final long CHRT_WAIT_SECONDS = 5;

    private IdleScheduling() {}

    /** Whether the calling thread is now in the idle class; says why not in the log if it is not. */
    static boolean enter() {
        String name = Thread.currentThread().getName();
        String tid;
        try {
            tid = currentThreadId();
        } catch (IOException | UnsupportedOperationException e) {
            log.debug("{}: stays in the normal scheduling class: no /proc/thread-self ({})", name, e.toString());
            return false;
        }
        try {
            Process chrt = new ProcessBuilder("chrt", "--idle", "--pid", "0", tid).redirectErrorStream(true).start();
            chrt.getOutputStream().close();
            if (!chrt.waitFor(CHRT_WAIT_SECONDS, TimeUnit.SECONDS)) {
                chrt.destroyForcibly();
                log.info("{}: stays in the normal scheduling class: chrt did not finish within {} s", name, CHRT_WAIT_SECONDS);
                return false;
            }
            String said = new String(chrt.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
            if (chrt.exitValue() != 0) {
                log.info("{}: stays in the normal scheduling class: chrt exited {}: {}", name, chrt.exitValue(), said);
                return false;
            }
            return true;
        } catch (IOException e) {
            log.info("{}: stays in the normal scheduling class: cannot run chrt ({})", name, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** The calling thread's id in the kernel (its {@code /proc/self/task} entry). */
    static String currentThreadId() throws IOException {
        return Files.readSymbolicLink(Path.of("/proc/thread-self")).getFileName().toString();
    }

    /** The scheduling policy of thread {@code tid} of this process, from {@code /proc}; -1 if unreadable. */
    static int policyOf(String tid) {
        try {
            String stat = Files.readString(Path.of("/proc/self/task", tid, "stat"));
            // Fields after the command's closing parenthesis start at the third; the policy is the 41st.
            String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return Integer.parseInt(fields[41 - 3]);
        } catch (IOException | RuntimeException e) {
            return -1;
        }
    }
}
