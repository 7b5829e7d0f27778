package io.infergate.core.load;

import java.util.function.Function;

/**
 * The load headers a route names for endpoints that report load their own way, such as
 * {@code gpuUtilization: X-GPU-Utilization} and {@code queueDepth: X-Queue-Depth}. Either name may be
 * null when the route does not configure it.
 *
 * @param gpuUtilization the header holding GPU utilization: a fraction or a percent
 * @param queueDepth     the header holding the number of requests waiting
 */
public record NamedLoadHeaders(String gpuUtilization, String queueDepth) {

    public NamedLoadHeaders {
        if ((gpuUtilization != null && gpuUtilization.isBlank()) || (queueDepth != null && queueDepth.isBlank())) {
            throw new IllegalArgumentException("a load header name must not be blank");
        }
    }

    /**
     * The load in a response's headers; an empty report when none of the named headers is there, a
     * rejection when one holds something else than a load value.
     *
     * @param headers a header's value by name, null when absent; matching names without regard to
     *                case is the caller's job
     */
    public Parsed<LoadReport> read(Function<String, String> headers, long receivedNanos) {
        LoadReport report = LoadReport.empty(LoadReport.Source.ROUTE_HEADERS, receivedNanos);
        String gpu = gpuUtilization == null ? null : headers.apply(gpuUtilization);
        if (gpu != null) {
            Parsed<Double> value = utilization(gpuUtilization, gpu);
            if (value instanceof Parsed.Rejected<Double> rejected) {
                return Parsed.rejected(rejected.reason());
            }
            report = report.withGpuUtilization(value.orElseThrow());
        }
        String queue = queueDepth == null ? null : headers.apply(queueDepth);
        if (queue != null) {
            Parsed<Double> value = Numbers.nonNegative(queueDepth, queue);
            if (value instanceof Parsed.Rejected<Double> rejected) {
                return Parsed.rejected(rejected.reason());
            }
            report = report.withQueueDepth(value.orElseThrow());
        }
        return Parsed.accepted(report);
    }

    /**
     * A utilization as a fraction: {@code 0.87}, {@code 87} and {@code 87%} all mean 0.87. A bare
     * number up to 1 is a fraction and above 1 a percent, so a bare {@code 1} is full, not 1 %.
     * Above 100 % is refused.
     *
     * @param name the header's name, for the reason
     */
    public static Parsed<Double> utilization(String name, String value) {
        String text = value.strip();
        boolean percentSign = text.endsWith("%");
        Parsed<Double> number = Numbers.nonNegative(name, percentSign ? text.substring(0, text.length() - 1) : text);
        if (!number.isAccepted()) {
            return number;
        }
        double n = number.orElseThrow();
        double fraction = percentSign || n > 1 ? n / 100 : n;
        if (fraction > 1) {
            return Parsed.rejected(name + " is over 100%: " + Numbers.shown(text));
        }
        return Parsed.accepted(fraction);
    }
}
