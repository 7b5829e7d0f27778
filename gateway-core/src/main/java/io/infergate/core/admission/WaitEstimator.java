package io.infergate.core.admission;

import java.time.Duration;

/**
 * Predicts how long a queued request will wait for a slot, by Little's law: {@code slots} slots,
 * each held for the mean service time, free up at {@code slots / mean} per unit of time, so the
 * request that must see {@code k} holds end before it starts waits {@code k / slots × mean}. With
 * {@code ahead} requests queued before it and {@code freeSlots} slots free now,
 * {@code k = ahead + 1 - freeSlots}, and never less than zero.
 * <p>
 * The mean is an exponentially weighted moving average of observed permit holds: what occupies a
 * slot is the whole hold (connect, generation, the stream to its end), not only the upstream's
 * compute time. It starts from a configured guess; the first observation replaces the guess rather
 * than averaging with it, because the guess is not a measurement. After that each observation
 * moves the mean by {@code weight} of its distance, so one outlier moves it by a fraction while a
 * lasting change (a fallback model, longer prompts) shows within a few dozen requests.
 * <p>
 * Whether a request can still finish is judged against a bound rather than the mean: the mean plus
 * four mean deviations, as TCP bounds a round trip (RFC 6298). The deviation moves by a quarter of
 * each observation's distance from the mean and starts at zero, so steady service times leave the
 * bound at the mean, while service times that vary (an endpoint that queues now and then, a learned
 * concurrency limit probing) keep a request from being forwarded with only the mean's time left.
 */
public final class WaitEstimator {

    /** The default weight of the newest observation: one in five. */
    public static final double DEFAULT_WEIGHT = 0.2;
    private static final double DEVIATION_WEIGHT = 0.25;
    private static final int DEVIATIONS = 4;

    private final double weight;
    private double meanNanos;
    private double deviationNanos;
    private boolean observed;

    public WaitEstimator(Duration initialServiceTime) {
        this(initialServiceTime, DEFAULT_WEIGHT);
    }

    public WaitEstimator(Duration initialServiceTime, double weight) {
        if (initialServiceTime == null || initialServiceTime.isNegative() || initialServiceTime.isZero()) {
            throw new IllegalArgumentException("initialServiceTime: " + initialServiceTime + " (expected: > 0)");
        }
        if (!(weight > 0 && weight <= 1)) {
            throw new IllegalArgumentException("weight: " + weight + " (expected: > 0 and <= 1)");
        }
        this.weight = weight;
        this.meanNanos = initialServiceTime.toNanos();
    }

    /** A permit was held for {@code serviceNanos}. */
    public synchronized void observe(long serviceNanos) {
        if (serviceNanos < 0) {
            throw new IllegalArgumentException("serviceNanos: " + serviceNanos + " (expected: >= 0)");
        }
        if (observed) {
            deviationNanos += DEVIATION_WEIGHT * (Math.abs(serviceNanos - meanNanos) - deviationNanos);
            meanNanos += weight * (serviceNanos - meanNanos);
        } else {
            meanNanos = serviceNanos;
        }
        observed = true;
    }

    /** The current mean service time in nanoseconds, rounded. */
    public synchronized long meanServiceNanos() {
        return Math.round(meanNanos);
    }

    /** The service time a request should have left to finish, in nanoseconds: the mean plus four deviations. */
    public synchronized long serviceBoundNanos() {
        return Math.round(meanNanos + DEVIATIONS * deviationNanos);
    }

    /**
     * The predicted wait in nanoseconds of a request with {@code ahead} requests queued before it,
     * when {@code freeSlots} of {@code slots} slots are free; 0 when it would start at once.
     */
    public synchronized long predictWaitNanos(int ahead, int freeSlots, int slots) {
        if (slots < 1 || ahead < 0 || freeSlots < 0) {
            throw new IllegalArgumentException("ahead " + ahead + ", freeSlots " + freeSlots + ", slots " + slots
                    + " (expected: slots >= 1, the others >= 0)");
        }
        long holdsToWaitFor = Math.max(0L, (long) ahead + 1 - freeSlots);
        return Math.round(holdsToWaitFor * meanNanos / slots);
    }
}
