package io.infergate.core.admission;

import java.util.OptionalDouble;
import java.util.OptionalInt;

/**
 * What a route's upstream reports about its load, as the load signals currently know it: GPU
 * utilization from 0 to 1 and the number of requests waiting upstream. Either may be unknown (no
 * report yet, or a stale one), and unknown never sheds: the gateway's own in-flight count and queue
 * still bound the load.
 */
public record RouteLoad(OptionalDouble gpuUtilization, OptionalInt queueDepth) {

    public static final RouteLoad UNKNOWN = new RouteLoad(OptionalDouble.empty(), OptionalInt.empty());

    public RouteLoad {
        if (gpuUtilization == null || queueDepth == null) {
            throw new IllegalArgumentException("use empty values for unknown load, not null");
        }
        gpuUtilization.ifPresent(u -> {
            if (!(u >= 0)) {
                throw new IllegalArgumentException("gpuUtilization: " + u + " (expected: >= 0)");
            }
        });
        queueDepth.ifPresent(d -> {
            if (d < 0) {
                throw new IllegalArgumentException("queueDepth: " + d + " (expected: >= 0)");
            }
        });
    }

    public static RouteLoad ofGpuUtilization(double utilization) {
        return new RouteLoad(OptionalDouble.of(utilization), OptionalInt.empty());
    }

    public static RouteLoad ofQueueDepth(int depth) {
        return new RouteLoad(OptionalDouble.empty(), OptionalInt.of(depth));
    }
}
