package io.infergate.core.admission;

import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * A class of service: queued requests of a higher {@code priority} are served first, and a tier may
 * shed earlier (or later) than its route by setting its own load thresholds; an empty threshold
 * follows the route's.
 * <p>
 * The defaults: {@link #PREMIUM} and {@link #STANDARD} follow the route, so a route's
 * {@code shedAtGpuUtilization} means what it says for paying traffic, and premium's advantage is
 * its place in the queue (served first, displacing lower tiers when the queue is full). {@link #FREE}
 * sheds well before: at 85 % GPU utilization and 16 requests waiting upstream, the headroom left
 * to the paying tiers. An override is absolute, so a route that lowers its thresholds below 0.85 or
 * 16 should lower free's as well. Priorities are spaced by ten to leave room for tiers in between.
 */
public record Tier(String name, int priority, OptionalDouble shedAtGpuUtilization, OptionalInt shedAtQueueDepth) {

    public static final Tier PREMIUM = new Tier("premium", 30, OptionalDouble.empty(), OptionalInt.empty());
    public static final Tier STANDARD = new Tier("standard", 20, OptionalDouble.empty(), OptionalInt.empty());
    public static final Tier FREE = new Tier("free", 10, OptionalDouble.of(0.85), OptionalInt.of(16));

    /** The built-in tiers, highest priority first. */
    public static final List<Tier> DEFAULTS = List.of(PREMIUM, STANDARD, FREE);

    public Tier {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("tier name must not be blank");
        }
        if (shedAtGpuUtilization == null || shedAtQueueDepth == null) {
            throw new IllegalArgumentException("tier " + name + ": use empty thresholds, not null");
        }
        shedAtGpuUtilization.ifPresent(u -> {
            if (!(u > 0 && u <= 1)) {
                throw new IllegalArgumentException("tier " + name + ": shedAtGpuUtilization " + u + " (expected: > 0 and <= 1)");
            }
        });
        shedAtQueueDepth.ifPresent(d -> {
            if (d < 1) {
                throw new IllegalArgumentException("tier " + name + ": shedAtQueueDepth " + d + " (expected: >= 1)");
            }
        });
    }

    /** Whether {@code load} is at or past this tier's thresholds on a route with {@code route}'s; unknown load is not. */
    public boolean shedsUnder(RouteLoad load, AdmissionSettings route) {
        double utilizationLimit = shedAtGpuUtilization.orElse(route.shedAtGpuUtilization());
        int depthLimit = shedAtQueueDepth.orElse(route.shedAtQueueDepth());
        return load.gpuUtilization().isPresent() && load.gpuUtilization().getAsDouble() >= utilizationLimit
                || load.queueDepth().isPresent() && load.queueDepth().getAsInt() >= depthLimit;
    }
}
