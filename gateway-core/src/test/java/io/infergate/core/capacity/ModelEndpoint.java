package io.infergate.core.capacity;

import io.infergate.core.FakeTicker;
import io.infergate.core.upstream.EndpointLoad;

import java.time.Duration;

/**
 * A fluid model of an inference endpoint behind one {@link ConcurrencyLimit}, stepped on a
 * {@link FakeTicker}: the gateway keeps {@code min(limit, demand)} requests at it; it runs up to its
 * batch at once, each for the service time, and queues the rest in FIFO order, so a request waits
 * {@code queued / batch} service times. Each step it reports what a real one would: completions,
 * and, when it {@code tells}, TGI's timings.
 */
final class ModelEndpoint {

    static final Duration STEP = Duration.ofMillis(250);
    static final Duration STALE_AFTER = Duration.ofSeconds(5);

    final FakeTicker ticker = new FakeTicker();
    final EndpointLoad load = new EndpointLoad();
    int batch;
    Duration service;
    int demand;
    boolean tells = true;
    /** False: requests run but none ends (a hung endpoint). */
    boolean answers = true;
    private double carry;
    private double queueSecondsSum;
    private long queueSamples;

    ModelEndpoint(int batch, Duration service, int demand) {
        this.batch = batch;
        this.service = service;
        this.demand = demand;
    }

    /** Runs {@code duration} of load against {@code limit}; returns its limit at the end. */
    int run(ConcurrencyLimit limit, Duration duration) {
        for (long t = 0; t < duration.toNanos(); t += STEP.toNanos()) {
            step(limit);
        }
        return limit.limit();
    }

    private void step(ConcurrencyLimit limit) {
        int inFlight = Math.min(limit.limit(), demand);
        limit.started(inFlight);
        double serviceSeconds = service.toNanos() / 1e9;
        double queueSeconds = Math.max(0, inFlight - batch) / (double) batch * serviceSeconds;
        carry += Math.min(inFlight, batch) * (STEP.toNanos() / 1e9) / serviceSeconds;
        int done = answers ? (int) carry : 0;
        carry -= done;
        long latency = (long) ((queueSeconds + serviceSeconds) * 1e9);
        long started = ticker.nanoTime() + STEP.toNanos() - latency;
        for (int i = 0; i < done; i++) {
            limit.completed(started, latency);
            if (tells) {
                limit.timings(started, queueSeconds, serviceSeconds, serviceSeconds / 20);
            }
            queueSecondsSum += queueSeconds;
            queueSamples++;
        }
        ticker.advance(STEP);
        limit.update(load, STALE_AFTER, inFlight);
    }

    /** The mean time a request waited in the endpoint's own queue since the last call, in seconds. */
    double meanQueueSecondsAndReset() {
        double mean = queueSamples == 0 ? 0 : queueSecondsSum / queueSamples;
        queueSecondsSum = 0;
        queueSamples = 0;
        return mean;
    }
}
