package io.infergate.core;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

/** A clock that moves only when the test says so; it starts far from zero, as nanoTime may. */
public final class FakeTicker implements Ticker {

    private final AtomicLong now = new AtomicLong(-7_000_000_000L);

    @Override
    public long nanoTime() {
        return now.get();
    }

    public void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }
}
