package io.infergate.sim;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static io.infergate.sim.ColdStart.Phase.ASLEEP;
import static io.infergate.sim.ColdStart.Phase.LOADING;
import static io.infergate.sim.ColdStart.Phase.READY;
import static org.junit.jupiter.api.Assertions.assertEquals;

class ColdStartTest {

    private final FakeTicker ticker = new FakeTicker();

    @Test
    void loadsForTheLoadTimeThenIsReady() {
        ColdStart coldStart = new ColdStart(Duration.ofSeconds(30), Duration.ZERO, ticker);
        assertEquals(LOADING, coldStart.phase());
        ticker.advance(Duration.ofSeconds(10));
        assertEquals(Duration.ofSeconds(20).toNanos(), coldStart.nanosUntilReady());
        ticker.advance(Duration.ofSeconds(20));
        assertEquals(READY, coldStart.phase());
        assertEquals(-1, coldStart.nanosUntilNextChange());
        ticker.advance(Duration.ofDays(1));
        assertEquals(READY, coldStart.phase());
    }

    @Test
    void noLoadTimeMeansReadyAtOnce() {
        assertEquals(READY, new ColdStart(Duration.ZERO, Duration.ZERO, ticker).phase());
    }

    @Test
    void fallsAsleepAfterIdleButNotWhileARequestRuns() {
        ColdStart coldStart = new ColdStart(Duration.ofSeconds(1), Duration.ofMinutes(5), ticker);
        ticker.advance(Duration.ofSeconds(1));
        coldStart.requestStarted();
        ticker.advance(Duration.ofMinutes(10));
        assertEquals(READY, coldStart.phase());
        coldStart.requestFinished();
        ticker.advance(Duration.ofMinutes(4));
        assertEquals(READY, coldStart.phase());
        assertEquals(Duration.ofMinutes(1).toNanos(), coldStart.nanosUntilNextChange());
        ticker.advance(Duration.ofMinutes(1));
        assertEquals(ASLEEP, coldStart.phase());
    }

    @Test
    void aWakeUpLoadsAgainForTheFullLoadTime() {
        ColdStart coldStart = new ColdStart(Duration.ofSeconds(2), Duration.ofSeconds(10), ticker);
        ticker.advance(Duration.ofSeconds(12));
        assertEquals(ASLEEP, coldStart.phase());
        assertEquals(Duration.ofSeconds(2).toNanos(), coldStart.nanosUntilReady());
        assertEquals(LOADING, coldStart.wake());
        ticker.advance(Duration.ofSeconds(2));
        assertEquals(READY, coldStart.phase());
        ticker.advance(Duration.ofSeconds(9));
        assertEquals(READY, coldStart.phase());
    }
}
