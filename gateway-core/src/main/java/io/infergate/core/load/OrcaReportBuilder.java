package io.infergate.core.load;

import java.util.EnumMap;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * Collects one report's fields for any of the three encodings, checking each value once the same
 * way. TEXT and JSON refuse a field given twice, as Envoy does; in the binary form a repeated field
 * replaces the earlier one, as protobuf does.
 */
final class OrcaReportBuilder {

    /** The report's numbers, by their proto field names. */
    enum Scalar {
        CPU_UTILIZATION("cpu_utilization", "cpuUtilization"),
        MEM_UTILIZATION("mem_utilization", "memUtilization"),
        APPLICATION_UTILIZATION("application_utilization", "applicationUtilization"),
        RPS_FRACTIONAL("rps_fractional", "rpsFractional"),
        EPS("eps", "eps");

        final String protoName;
        final String jsonName;

        Scalar(String protoName, String jsonName) {
            this.protoName = protoName;
            this.jsonName = jsonName;
        }

        /** The field a TEXT key or a proto3 JSON name (either spelling) stands for, or null. */
        static Scalar named(String name) {
            for (Scalar scalar : values()) {
                if (scalar.protoName.equals(name) || scalar.jsonName.equals(name)) {
                    return scalar;
                }
            }
            return null;
        }
    }

    /** The report's maps of named values. */
    enum Metrics {
        UTILIZATION("utilization", "utilization"),
        NAMED_METRICS("named_metrics", "namedMetrics"),
        REQUEST_COST("request_cost", "requestCost");

        final String protoName;
        final String jsonName;

        Metrics(String protoName, String jsonName) {
            this.protoName = protoName;
            this.jsonName = jsonName;
        }

        static Metrics named(String name) {
            for (Metrics metrics : values()) {
                if (metrics.protoName.equals(name) || metrics.jsonName.equals(name)) {
                    return metrics;
                }
            }
            return null;
        }
    }

    private final boolean repeatsReplace;
    private final Map<Scalar, Double> scalars = new EnumMap<>(Scalar.class);
    private final Map<Metrics, Map<String, Double>> maps = new EnumMap<>(Metrics.class);
    private final Set<String> seen = new HashSet<>();

    OrcaReportBuilder(boolean repeatsReplace) {
        this.repeatsReplace = repeatsReplace;
        for (Metrics metrics : Metrics.values()) {
            maps.put(metrics, new HashMap<>());
        }
    }

    /** Sets a field; the reason it cannot be set, or null. */
    String set(Scalar scalar, double value) {
        String problem = admit(scalar.protoName, value);
        if (problem == null) {
            scalars.put(scalar, value);
        }
        return problem;
    }

    /** Adds an entry to a map; the reason it cannot be added, or null. */
    String put(Metrics metrics, String key, double value) {
        if (key.isEmpty()) {
            return metrics.protoName + " has an empty name";
        }
        String problem = admit(metrics.protoName + "." + key, value);
        if (problem == null) {
            maps.get(metrics).put(key, value);
        }
        return problem;
    }

    OrcaReport build() {
        return new OrcaReport(
                scalars.getOrDefault(Scalar.CPU_UTILIZATION, Double.NaN),
                scalars.getOrDefault(Scalar.MEM_UTILIZATION, Double.NaN),
                scalars.getOrDefault(Scalar.APPLICATION_UTILIZATION, Double.NaN),
                scalars.getOrDefault(Scalar.RPS_FRACTIONAL, Double.NaN),
                scalars.getOrDefault(Scalar.EPS, Double.NaN),
                maps.get(Metrics.UTILIZATION),
                maps.get(Metrics.NAMED_METRICS),
                maps.get(Metrics.REQUEST_COST));
    }

    private String admit(String name, double value) {
        if (!seen.add(name) && !repeatsReplace) {
            return "duplicate metric: " + name;
        }
        return Numbers.problem(name, value);
    }
}
