package io.infergate.core.timeout;

import io.infergate.core.config.Timeouts;
import io.infergate.core.error.GatewayError;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ExchangeTimeoutsTest {

    private static final long S = 1_000_000_000L;
    private static final long START = 5 * S; // any origin: nanoTime may be anything, even negative

    /** connect 1s (not here), firstByte 30s, streamIdle 10s, total 100s. */
    private final ExchangeTimeouts clocks = new ExchangeTimeouts(new Timeouts(
            Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(100)), START);

    @Test
    void firstCheckComesAtTheShortestClockBecauseAnyPhaseMayStartAtOnce() {
        assertEquals(10 * S, clocks.nextCheckIn(START));
        assertNull(clocks.expired(START + 10 * S));
    }

    @Test
    void firstByteClockRunsFromTheMomentTheRequestIsSent() {
        clocks.requestSent(START + 5 * S);
        assertNull(clocks.expired(START + 35 * S - 1));
        assertEquals(GatewayError.FIRST_BYTE_TIMEOUT, clocks.expired(START + 35 * S));
        assertEquals(10 * S, clocks.nextCheckIn(START + 20 * S), "idle could still start and end first");
        assertEquals(5 * S, clocks.nextCheckIn(START + 30 * S));
    }

    @Test
    void responseActivityStopsFirstByteAndRestartsTheIdleClock() {
        clocks.requestSent(START);
        clocks.responseActivity(START + 29 * S);
        assertNull(clocks.expired(START + 31 * S));
        assertEquals(8 * S, clocks.nextCheckIn(START + 31 * S));
        clocks.responseActivity(START + 35 * S);
        assertNull(clocks.expired(START + 44 * S));
        assertEquals(GatewayError.STREAM_IDLE_TIMEOUT, clocks.expired(START + 45 * S));
    }

    @Test
    void totalDeadlineWinsOverEveryOtherClock() {
        clocks.requestSent(START);
        for (long t = 9; t < 100; t += 9) {
            clocks.responseActivity(START + t * S);
        }
        assertEquals(1 * S, clocks.nextCheckIn(START + 99 * S));
        assertEquals(GatewayError.DEADLINE_EXCEEDED, clocks.expired(START + 100 * S));
    }

    @Test
    void checksAreNeverLateWhenPhasesChangeBetweenThem() {
        // Walk time in 1 s steps with phases changing; at every step, the scheduled check must not
        // be later than the moment a clock actually runs out.
        long now = START;
        long nextCheck = now + clocks.nextCheckIn(now);
        clocks.requestSent(START + 2 * S);
        clocks.responseActivity(START + 3 * S);
        for (now = START; clocks.expired(now) == null; now += S / 10) {
            if (now >= nextCheck) {
                nextCheck = now + clocks.nextCheckIn(now);
            }
        }
        assertEquals(GatewayError.STREAM_IDLE_TIMEOUT, clocks.expired(now));
        assertEquals(START + 13 * S, now);
        assertEquals(true, nextCheck <= now, "the timer would have fired after the clock ran out");
    }

    @Test
    void firstTokenClockRunsFromTheStreamsHeadUntilItsFirstEvent() {
        ExchangeTimeouts stream = new ExchangeTimeouts(new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(100), Duration.ofSeconds(4)), START);
        assertEquals(4 * S, stream.nextCheckIn(START), "a stream's head may come at once and its first event never");
        stream.requestSent(START);
        stream.responseActivity(START + S);
        stream.firstEventAwaited(START + S);
        assertEquals(4 * S, stream.nextCheckIn(START + S));
        assertNull(stream.expired(START + 5 * S - 1));
        assertEquals(GatewayError.FIRST_TOKEN_TIMEOUT, stream.expired(START + 5 * S));

        stream.firstEventSettled();
        assertNull(stream.expired(START + 5 * S));
        assertEquals(6 * S, stream.nextCheckIn(START + 5 * S), "only the idle clock is left");
    }

    @Test
    void withoutAFirstTokenTimeoutAwaitingTheFirstEventStartsNoClock() {
        clocks.requestSent(START);
        clocks.responseActivity(START + S);
        clocks.firstEventAwaited(START + S);
        assertNull(clocks.expired(START + 10 * S));
        assertEquals(10 * S, clocks.nextCheckIn(START + S));
    }
}
