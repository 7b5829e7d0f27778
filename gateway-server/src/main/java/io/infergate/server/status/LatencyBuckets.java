package io.infergate.server.status;

/**
 * Log-scale buckets for durations, a quarter octave wide (each 19 % wider than the last) from
 * 100 µs to about 16 minutes: a quantile read back as its bucket's geometric middle is within 9 % of
 * the truth, plenty for a status page, in 93 counters.
 */
final class LatencyBuckets {

    static final int COUNT = 93;
    private static final double SMALLEST_NANOS = 100_000;
    private static final double PER_OCTAVE = 4;

    private LatencyBuckets() {}

    /** The bucket of {@code nanos}; below the smallest bound the first, past the largest the last. */
    static int of(long nanos) {
        if (nanos <= SMALLEST_NANOS) {
            return 0;
        }
        int bucket = (int) (Math.log(nanos / SMALLEST_NANOS) / Math.log(2) * PER_OCTAVE) + 1;
        return Math.min(bucket, COUNT - 1);
    }

    /** What bucket {@code i} reads as, in seconds: the geometric middle of its bounds. */
    static double seconds(int i) {
        if (i == 0) {
            return SMALLEST_NANOS / 1e9;
        }
        return SMALLEST_NANOS * Math.pow(2, (i - 0.5) / PER_OCTAVE) / 1e9;
    }

    /** The {@code q} quantile of {@code counts} in seconds, NaN when they are all zero. */
    static double quantile(double q, long[] counts) {
        long total = 0;
        for (long count : counts) {
            total += count;
        }
        if (total == 0) {
            return Double.NaN;
        }
        long rank = (long) Math.ceil(q * total);
        long seen = 0;
        for (int i = 0; i < counts.length; i++) {
            seen += counts[i];
            if (seen >= Math.max(1, rank)) {
                return seconds(i);
            }
        }
        return seconds(counts.length - 1);
    }
}
