package io.infergate.server.exchange;

import io.infergate.core.Ticker;

import java.time.Duration;

/** A clock that moves only when the test moves it. */
final class FakeTicker implements Ticker {

    private long now = 1_000_000_000L;

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    synchronized void advance(Duration by) {
        now += by.toNanos();
    }
}
