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
    private final ExchangeTimeouts clocks = withBody(new ExchangeTimeouts(new Timeouts(
            Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10), Duration.ofSeconds(100)), START,
            100 * S, 20 * S, 50 * S));

    private static ExchangeTimeouts withBody(ExchangeTimeouts clocks) {
        clocks.bodyReceived();
        return clocks;
    }

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
        ExchangeTimeouts stream = withBody(new ExchangeTimeouts(new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(30),
                Duration.ofSeconds(10), Duration.ofSeconds(100), Duration.ofSeconds(4)), START,
                100 * S, Long.MAX_VALUE, Long.MAX_VALUE));
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

    /** firstByte 30s, streamIdle 10s, total 100s, and the client's body and write clocks. */
    private static ExchangeTimeouts clientClocks(long bodyNanos, long writeNanos) {
        return new ExchangeTimeouts(new Timeouts(Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ofSeconds(10),
                Duration.ofSeconds(100)), START, 100 * S, bodyNanos, writeNanos);
    }

    @Test
    void aBodyStillArrivingWhenItsClockRunsOutIsTheClientsTimeout() {
        ExchangeTimeouts slowBody = clientClocks(20 * S, Long.MAX_VALUE);
        assertEquals(10 * S, slowBody.nextCheckIn(START));
        assertEquals(5 * S, slowBody.nextCheckIn(START + 15 * S));
        assertNull(slowBody.expired(START + 20 * S - 1));
        assertEquals(GatewayError.CLIENT_TIMEOUT, slowBody.expired(START + 20 * S));

        ExchangeTimeouts intime = clientClocks(20 * S, Long.MAX_VALUE);
        intime.bodyReceived();
        assertNull(intime.expired(START + 20 * S));
    }

    @Test
    void aBodyStillArrivingAtTheTotalDeadlineIsTheClientsTimeoutToo() {
        ExchangeTimeouts slowBody = clientClocks(Long.MAX_VALUE, Long.MAX_VALUE);
        assertEquals(GatewayError.CLIENT_TIMEOUT, slowBody.expired(START + 100 * S));
    }

    @Test
    void aStalledClientStopsTheUpstreamsIdleClockAndIsCutAtItsWriteTimeout() {
        ExchangeTimeouts slowReader = withBody(clientClocks(Long.MAX_VALUE, 6 * S));
        slowReader.requestSent(START);
        slowReader.responseActivity(START);
        assertEquals(6 * S, slowReader.nextCheckIn(START), "a stall may begin any moment: checked within its limit");
        slowReader.clientStalled(START + S);
        slowReader.clientStalled(START + 3 * S); // still the same stall
        assertEquals(6 * S, slowReader.nextCheckIn(START + S));
        assertNull(slowReader.expired(START + 7 * S - 1));
        assertEquals(GatewayError.CLIENT_WRITE_TIMEOUT, slowReader.expired(START + 7 * S));
    }

    @Test
    void aClientThatDrainsRestartsTheIdleClockFromThen() {
        ExchangeTimeouts reader = withBody(clientClocks(Long.MAX_VALUE, 60 * S));
        reader.requestSent(START);
        reader.responseActivity(START);
        reader.clientStalled(START + S);
        assertNull(reader.expired(START + 30 * S), "the upstream is not silent: the gateway stopped reading it");
        reader.clientDrained(START + 30 * S);
        assertEquals(10 * S, reader.nextCheckIn(START + 30 * S));
        assertNull(reader.expired(START + 40 * S - 1));
        assertEquals(GatewayError.STREAM_IDLE_TIMEOUT, reader.expired(START + 40 * S));
    }

    @Test
    void theTotalDeadlinePassingWhileTheClientIsStalledIsTheClients() {
        ExchangeTimeouts reader = withBody(clientClocks(Long.MAX_VALUE, 60 * S));
        reader.requestSent(START);
        reader.responseActivity(START + 85 * S);
        reader.clientStalled(START + 90 * S);
        assertEquals(GatewayError.CLIENT_WRITE_TIMEOUT, reader.expired(START + 100 * S));
    }
}
