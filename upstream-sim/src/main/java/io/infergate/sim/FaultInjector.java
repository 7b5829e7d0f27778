package io.infergate.sim;

import java.util.SplittableRandom;

/** Holds the current {@link Faults} and hands each generation request its {@link FaultPlan}. */
final class FaultInjector {

    private final SplittableRandom random;
    private Faults faults = Faults.none();
    /** Requests the current faults still apply to; -1 for every request. */
    private int remaining = -1;

    FaultInjector(long seed) {
        this.random = new SplittableRandom(seed);
    }

    synchronized void set(Faults next) {
        faults = next;
        remaining = next.count() == null ? -1 : next.count();
    }

    /** The faults still in force, with {@code count} set to the requests left. */
    synchronized Faults current() {
        if (remaining == 0 || !faults.active()) {
            return Faults.none();
        }
        return remaining < 0 ? faults : faults.withCount(remaining);
    }

    synchronized FaultPlan next() {
        if (remaining == 0 || !faults.active()) {
            return FaultPlan.NONE;
        }
        if (remaining > 0) {
            remaining--;
        }
        boolean error = faults.errorRate() > 0 && random.nextDouble() < faults.errorRate();
        return FaultPlan.of(faults, error);
    }
}
