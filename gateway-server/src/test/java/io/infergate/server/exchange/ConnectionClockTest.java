package io.infergate.server.exchange;

import io.netty.channel.embedded.EmbeddedChannel;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;

/** The connection's one task, on an embedded loop whose time the test moves along with the ticker. */
class ConnectionClockTest {

    private final EmbeddedChannel channel = new EmbeddedChannel();
    private final FakeTicker ticker = new FakeTicker();
    private final ConnectionClock clock = new ConnectionClock(channel.eventLoop(), ticker);

    /** An owner that records when it was checked. */
    private final class Recording implements ConnectionClock.Owner {
        final List<Long> checks = new ArrayList<>();

        @Override
        public void check(long nowNanos) {
            checks.add(nowNanos);
        }
    }

    @BeforeEach
    void freeze() {
        channel.freezeTime(); // the loop's time moves only with advance(), like the ticker
    }

    @AfterEach
    void close() {
        channel.finishAndReleaseAll();
    }

    private void advance(Duration by) {
        ticker.advance(by);
        channel.advanceTimeBy(by.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    /** Nanoseconds until the loop's next scheduled task, -1 when none is. */
    private long nextTaskIn() {
        return channel.runScheduledPendingTasks();
    }

    @Test
    void theOwnerIsCheckedWhenItsDelayHasPassed() {
        Recording first = new Recording();
        clock.arm(first, ticker.nanoTime(), Duration.ofSeconds(10).toNanos());
        advance(Duration.ofSeconds(9));
        assertEquals(List.of(), first.checks);
        advance(Duration.ofSeconds(1));
        assertEquals(List.of(ticker.nanoTime()), first.checks);
        assertEquals(-1, nextTaskIn(), "an owner that does not arm again leaves nothing scheduled");
    }

    @Test
    void theNextExchangeKeepsATaskDueBeforeItsOwnCheckAndIsCheckedByIt() {
        Recording first = new Recording();
        clock.arm(first, ticker.nanoTime(), Duration.ofSeconds(10).toNanos());
        clock.release(first);
        advance(Duration.ofSeconds(1));
        Recording second = new Recording();
        clock.arm(second, ticker.nanoTime(), Duration.ofSeconds(10).toNanos());
        assertEquals(Duration.ofSeconds(9).toNanos(), nextTaskIn(), "the first exchange's task, kept");
        advance(Duration.ofSeconds(9));
        assertEquals(List.of(), first.checks, "a released owner is not checked");
        assertEquals(1, second.checks.size(), "checked early: it arms again for what it has left");
    }

    @Test
    void anEarlierCheckReplacesALaterTask() {
        Recording first = new Recording();
        clock.arm(first, ticker.nanoTime(), Duration.ofSeconds(30).toNanos());
        clock.release(first);
        Recording second = new Recording();
        clock.arm(second, ticker.nanoTime(), Duration.ofSeconds(2).toNanos());
        assertEquals(Duration.ofSeconds(2).toNanos(), nextTaskIn());
        advance(Duration.ofSeconds(2));
        assertEquals(1, second.checks.size());
        assertEquals(-1, nextTaskIn(), "the later task was cancelled, not left behind");
    }

    @Test
    void aTaskDueForNoExchangeDoesNothingAndStopCancelsIt() {
        Recording first = new Recording();
        clock.arm(first, ticker.nanoTime(), Duration.ofSeconds(5).toNanos());
        clock.release(first);
        advance(Duration.ofSeconds(5));
        assertEquals(List.of(), first.checks);

        Recording second = new Recording();
        clock.arm(second, ticker.nanoTime(), Duration.ofSeconds(5).toNanos());
        clock.stop();
        assertEquals(-1, nextTaskIn(), "a closed connection times nothing");
        advance(Duration.ofSeconds(5));
        assertEquals(List.of(), second.checks);
    }
}
