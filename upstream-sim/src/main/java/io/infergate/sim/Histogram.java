package io.infergate.sim;

/** A Prometheus histogram with TGI's duration buckets: 35 geometric bounds from 0.15 ms, factor 1.5. */
final class Histogram {

    static final double[] BOUNDS = new double[35];

    static {
        double bound = 0.00015;
        for (int i = 0; i < BOUNDS.length; i++) {
            BOUNDS[i] = bound;
            bound *= 1.5;
        }
    }

    private final long[] counts = new long[BOUNDS.length];
    private long count;
    private double sum;

    synchronized void record(double seconds) {
        for (int i = 0; i < BOUNDS.length; i++) {
            if (seconds <= BOUNDS[i]) {
                counts[i]++;
            }
        }
        count++;
        sum += seconds;
    }

    /** Appends the {@code _bucket}, {@code _sum} and {@code _count} lines; {@code labels} is "" or {@code a="b",}. */
    synchronized void writeTo(StringBuilder out, String name, String labels) {
        out.append("# TYPE ").append(name).append(" histogram\n");
        for (int i = 0; i < BOUNDS.length; i++) {
            out.append(name).append("_bucket{").append(labels).append("le=\"").append(java.math.BigDecimal.valueOf(BOUNDS[i]).toPlainString()).append("\"} ")
                    .append(counts[i]).append('\n');
        }
        out.append(name).append("_bucket{").append(labels).append("le=\"+Inf\"} ").append(count).append('\n');
        String plain = labels.isEmpty() ? "" : "{" + labels.substring(0, labels.length() - 1) + "}";
        out.append(name).append("_sum").append(plain).append(' ').append(sum).append('\n');
        out.append(name).append("_count").append(plain).append(' ').append(count).append('\n');
    }
}
