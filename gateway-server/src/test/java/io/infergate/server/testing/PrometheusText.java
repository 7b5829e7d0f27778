package io.infergate.server.testing;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A scrape in Prometheus's text format, read into samples, with the arithmetic of histograms. */
public final class PrometheusText {

    private static final Pattern SAMPLE = Pattern.compile("([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\\{(.*)})? (\\S+)");
    private static final Pattern LABEL = Pattern.compile("([a-zA-Z_][a-zA-Z0-9_]*)=\"((?:[^\"\\\\]|\\\\.)*)\"");

    /** One sample line. */
    public record Sample(String name, Map<String, String> labels, double value) {

        /** Whether every label of {@code wanted} has its value here (others may be present). */
        boolean matches(Map<String, String> wanted) {
            return wanted.entrySet().stream().allMatch(e -> e.getValue().equals(labels.get(e.getKey())));
        }
    }

    /** One bucket of a histogram: its upper bound and the cumulative count up to it. */
    public record Bucket(double le, double count) {}

    private final List<Sample> samples = new ArrayList<>();

    public PrometheusText(String scrape) {
        for (String line : scrape.split("\n")) {
            if (line.isBlank() || line.startsWith("#")) {
                continue;
            }
            Matcher sample = SAMPLE.matcher(line);
            if (!sample.matches()) {
                throw new AssertionError("not a sample line: " + line);
            }
            Map<String, String> labels = new LinkedHashMap<>();
            if (sample.group(2) != null) {
                Matcher label = LABEL.matcher(sample.group(2));
                while (label.find()) {
                    labels.put(label.group(1), label.group(2));
                }
            }
            samples.add(new Sample(sample.group(1), labels, number(sample.group(3))));
        }
    }

    /** A number as the format writes it: also {@code +Inf}, {@code -Inf} and {@code NaN}. */
    private static double number(String text) {
        return switch (text) {
            case "+Inf" -> Double.POSITIVE_INFINITY;
            case "-Inf" -> Double.NEGATIVE_INFINITY;
            default -> Double.parseDouble(text);
        };
    }

    /** Every sample of {@code name} whose labels include {@code labels}. */
    public List<Sample> samples(String name, Map<String, String> labels) {
        return samples.stream().filter(s -> s.name().equals(name) && s.matches(labels)).toList();
    }

    /** The one sample of {@code name} with exactly {@code labels}; fails when it is not there. */
    public double value(String name, Map<String, String> labels) {
        List<Sample> found = samples.stream().filter(s -> s.name().equals(name) && s.labels().equals(labels)).toList();
        if (found.size() != 1) {
            throw new AssertionError(found.size() + " samples of " + name + labels + "; of that name: " + samples(name, Map.of()));
        }
        return found.get(0).value();
    }

    /** The sum over every sample of {@code name} whose labels include {@code labels}. */
    public double sum(String name, Map<String, String> labels) {
        return samples(name, labels).stream().mapToDouble(Sample::value).sum();
    }

    /** Names of the metric families present (a histogram's series under its own name). */
    public Set<String> families() {
        Set<String> names = new TreeSet<>();
        for (Sample sample : samples) {
            names.add(sample.name().replaceFirst("_(bucket|count|sum|max)$", ""));
        }
        return names;
    }

    /** The buckets of histogram {@code name} over every series whose labels include {@code labels}, summed by bound. */
    public List<Bucket> buckets(String name, Map<String, String> labels) {
        Map<Double, Double> byBound = new LinkedHashMap<>();
        for (Sample sample : samples(name + "_bucket", labels)) {
            byBound.merge(number(sample.labels().get("le")), sample.value(), Double::sum);
        }
        List<Bucket> buckets = new ArrayList<>();
        byBound.forEach((le, count) -> buckets.add(new Bucket(le, count)));
        buckets.sort(Comparator.comparingDouble(Bucket::le));
        return buckets;
    }

    /** The {@code q} quantile of {@code buckets} as Prometheus's {@code histogram_quantile} computes it. */
    public static double quantile(double q, List<Bucket> buckets) {
        double total = buckets.get(buckets.size() - 1).count();
        double rank = q * total;
        double lowerBound = 0;
        double lowerCount = 0;
        for (Bucket bucket : buckets) {
            if (bucket.count() >= rank) {
                if (Double.isInfinite(bucket.le())) {
                    return lowerBound;
                }
                return lowerBound + (bucket.le() - lowerBound) * (rank - lowerCount) / (bucket.count() - lowerCount);
            }
            lowerBound = bucket.le();
            lowerCount = bucket.count();
        }
        return Double.NaN;
    }
}
