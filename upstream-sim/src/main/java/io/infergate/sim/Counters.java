package io.infergate.sim;

import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;

/** What the simulator counts, for {@link SimStats} and the {@code /metrics} page. */
final class Counters {

    final LongAdder received = new LongAdder();
    final LongAdder refusedWhileLoading = new LongAdder();
    final LongAdder overloaded = new LongAdder();
    final LongAdder validationFailures = new LongAdder();
    final LongAdder generationFailures = new LongAdder();
    final LongAdder completed = new LongAdder();
    final LongAdder finishedByLength = new LongAdder();
    final LongAdder finishedByEos = new LongAdder();
    final LongAdder promptTokens = new LongAdder();
    final LongAdder generatedTokens = new LongAdder();
    final AtomicInteger inFlight = new AtomicInteger();
    final Histogram requestDuration = new Histogram();
    final Histogram queueDuration = new Histogram();
}
