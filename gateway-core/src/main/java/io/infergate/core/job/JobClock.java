package io.infergate.core.job;

import io.infergate.core.Ticker;

import java.time.Clock;

/** Reads a {@link Moment} from an injected wall clock and ticker, so that tests set both. */
public record JobClock(Clock wall, Ticker ticker) {

    public static final JobClock SYSTEM = new JobClock(Clock.systemUTC(), Ticker.SYSTEM);

    public Moment now() {
        return new Moment(wall.millis(), ticker.nanoTime());
    }
}
