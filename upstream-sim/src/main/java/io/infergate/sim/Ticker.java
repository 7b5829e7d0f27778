package io.infergate.sim;

/** A source of monotonic nanoseconds, injected wherever the simulator makes a decision that depends on time. */
@FunctionalInterface
public interface Ticker {

    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
