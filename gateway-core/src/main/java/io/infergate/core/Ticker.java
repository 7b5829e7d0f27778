package io.infergate.core;

/** A source of monotonic nanoseconds, injected wherever a decision depends on time. */
@FunctionalInterface
public interface Ticker {

    Ticker SYSTEM = System::nanoTime;

    long nanoTime();
}
