package io.infergate.core.load;

import java.util.Map;

/**
 * An ORCA load report ({@code xds.data.orca.v3.OrcaLoadReport}) as an endpoint sent it. A scalar
 * the endpoint did not send is {@link Double#NaN}; every value it did send is finite and not
 * negative (the parser rejects the others, this constructor throws on them). The deprecated integer {@code rps} is read and
 * dropped: {@code rps_fractional} replaces it.
 */
public record OrcaReport(
        double cpuUtilization,
        double memUtilization,
        double applicationUtilization,
        double rpsFractional,
        double eps,
        Map<String, Double> utilization,
        Map<String, Double> namedMetrics,
        Map<String, Double> requestCost) {

    /** What a response without ORCA headers reports. */
    public static final OrcaReport EMPTY = new OrcaReport(Double.NaN, Double.NaN, Double.NaN, Double.NaN, Double.NaN,
            Map.of(), Map.of(), Map.of());

    public OrcaReport {
        utilization = checked("utilization", utilization);
        namedMetrics = checked("named_metrics", namedMetrics);
        requestCost = checked("request_cost", requestCost);
        checkSent("cpu_utilization", cpuUtilization);
        checkSent("mem_utilization", memUtilization);
        checkSent("application_utilization", applicationUtilization);
        checkSent("rps_fractional", rpsFractional);
        checkSent("eps", eps);
    }

    /**
     * The part of this report the gateway balances on. GPU utilization is the
     * {@code gpu_utilization} named metric, else {@code utilization.gpu}, else
     * {@code application_utilization}; the queue, batch and KV cache come from the named metrics
     * vLLM sends ({@code num_requests_waiting}, {@code num_requests_running},
     * {@code kv_cache_usage_perc}). An application utilization of 0 counts as not sent, as in
     * Envoy's weighted round robin, because proto3 cannot tell the two apart.
     */
    public LoadReport toLoadReport(long receivedNanos) {
        double gpu = namedMetrics.getOrDefault("gpu_utilization",
                utilization.getOrDefault("gpu", applicationUtilization > 0 ? applicationUtilization : Double.NaN));
        return LoadReport.empty(LoadReport.Source.ORCA, receivedNanos)
                .withGpuUtilization(gpu)
                .withQueueDepth(namedMetrics.getOrDefault("num_requests_waiting", Double.NaN))
                .withRunning(namedMetrics.getOrDefault("num_requests_running", Double.NaN))
                .withKvCacheUsage(namedMetrics.getOrDefault("kv_cache_usage_perc", Double.NaN));
    }

    private static void checkSent(String name, double value) {
        if (!Double.isNaN(value)) {
            check(Numbers.problem(name, value));
        }
    }

    private static Map<String, Double> checked(String name, Map<String, Double> metrics) {
        Map<String, Double> copy = Map.copyOf(metrics);
        copy.forEach((key, value) -> {
            check(key.isEmpty() ? name + " has an empty name" : null);
            check(Numbers.problem(name + "." + key, value));
        });
        return copy;
    }

    private static void check(String problem) {
        if (problem != null) {
            throw new IllegalArgumentException(problem);
        }
    }
}
