package io.infergate.core.load;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.util.Map;

/**
 * Reads an endpoint's load from its Prometheus text page, as a poller fetches it: TGI's
 * {@code tgi_queue_size} and {@code tgi_batch_current_size}, or vLLM's
 * {@code vllm:num_requests_waiting}, {@code vllm:num_requests_running} and
 * {@code vllm:kv_cache_usage_perc} (or its old name {@code vllm:gpu_cache_usage_perc}). Counts are
 * summed over label sets (one per engine or model), KV cache usage is their mean. A NaN sample says
 * nothing and is skipped; every other line about other metrics is not looked at.
 */
public final class PrometheusLoadParser {

    private enum Gauge { WAITING, RUNNING, KV_CACHE, OLD_KV_CACHE }

    private static final Map<String, Gauge> GAUGES = Map.of(
            "tgi_queue_size", Gauge.WAITING,
            "tgi_batch_current_size", Gauge.RUNNING,
            "vllm:num_requests_waiting", Gauge.WAITING,
            "vllm:num_requests_running", Gauge.RUNNING,
            "vllm:kv_cache_usage_perc", Gauge.KV_CACHE,
            "vllm:gpu_cache_usage_perc", Gauge.OLD_KV_CACHE);

    private static final ObjectMapper JSON = new ObjectMapper();

    private PrometheusLoadParser() {}

    /**
     * The load on a metrics page. Rejected when the page has none of the gauges above, or one of them
     * is malformed, infinite or negative.
     */
    public static Parsed<LoadReport> parse(String page, long receivedNanos) {
        double[] sums = new double[Gauge.values().length];
        int[] counts = new int[Gauge.values().length];
        boolean seen = false;
        int start = 0;
        while (start < page.length()) {
            int end = page.indexOf('\n', start);
            if (end < 0) {
                end = page.length();
            }
            String line = page.substring(start, end).strip();
            start = end + 1;
            if (line.isEmpty() || line.startsWith("#")) {
                continue;
            }
            int nameEnd = nameEnd(line);
            Gauge gauge = GAUGES.get(line.substring(0, nameEnd));
            if (gauge == null) {
                continue;
            }
            seen = true;
            String name = line.substring(0, nameEnd);
            Parsed<Double> sample = sample(name, line, nameEnd);
            if (sample instanceof Parsed.Rejected<Double> rejected) {
                return Parsed.rejected(rejected.reason());
            }
            double value = sample.orElseThrow();
            if (!Double.isNaN(value)) {
                sums[gauge.ordinal()] += value;
                counts[gauge.ordinal()]++;
            }
        }
        if (!seen) {
            return Parsed.rejected("no TGI or vLLM load gauge on the page");
        }
        double kvCache = counts[Gauge.KV_CACHE.ordinal()] > 0 ? mean(sums, counts, Gauge.KV_CACHE)
                : mean(sums, counts, Gauge.OLD_KV_CACHE);
        return Parsed.accepted(LoadReport.empty(LoadReport.Source.POLL, receivedNanos)
                .withQueueDepth(sum(sums, counts, Gauge.WAITING))
                .withRunning(sum(sums, counts, Gauge.RUNNING))
                .withKvCacheUsage(kvCache));
    }

    /**
     * TGI's {@code max_concurrent_requests} from its {@code /info} JSON: how many requests it admits
     * before answering 429, the capacity its queue and batch sizes are measured against.
     */
    public static Parsed<Integer> maxConcurrentRequests(String infoJson) {
        JsonNode info;
        try {
            info = JSON.readTree(infoJson);
        } catch (JacksonException e) {
            return Parsed.rejected("/info is not JSON: " + Numbers.shown(e.getOriginalMessage()));
        }
        JsonNode field = info == null ? null : info.get("max_concurrent_requests");
        if (field == null || field.isNull()) {
            return Parsed.rejected("/info has no max_concurrent_requests");
        }
        if (!field.canConvertToInt() || !field.isIntegralNumber() || field.intValue() <= 0) {
            return Parsed.rejected("max_concurrent_requests is not a positive integer: " + Numbers.shown(field.toString()));
        }
        return Parsed.accepted(field.intValue());
    }

    /** The value after the name and its labels; a timestamp after it is ignored. NaN is kept as NaN. */
    private static Parsed<Double> sample(String name, String line, int nameEnd) {
        int i = skipBlanks(line, nameEnd);
        if (i == line.length()) {
            return Parsed.rejected(name + " has no value");
        }
        if (line.charAt(i) == '{') {
            i = labelsEnd(line, i);
            if (i < 0) {
                return Parsed.rejected(name + " has unterminated labels");
            }
            i = skipBlanks(line, i);
        } else if (i == nameEnd) {
            return Parsed.rejected(name + " is not followed by a value");
        }
        int valueEnd = i;
        while (valueEnd < line.length() && !isBlank(line.charAt(valueEnd))) {
            valueEnd++;
        }
        String value = line.substring(i, valueEnd);
        if (value.isEmpty()) {
            return Parsed.rejected(name + " has no value");
        }
        if (value.equalsIgnoreCase("nan")) {
            return Parsed.accepted(Double.NaN);
        }
        return Numbers.nonNegative(name, value);
    }

    /** Just past the closing brace of the labels that open at {@code open}, or -1 if it never comes. */
    private static int labelsEnd(String line, int open) {
        boolean quoted = false;
        for (int i = open + 1; i < line.length(); i++) {
            char c = line.charAt(i);
            if (quoted && c == '\\') {
                i++;
            } else if (c == '"') {
                quoted = !quoted;
            } else if (c == '}' && !quoted) {
                return i + 1;
            }
        }
        return -1;
    }

    private static int nameEnd(String line) {
        int i = 0;
        while (i < line.length()) {
            char c = line.charAt(i);
            if (!(Character.isLetterOrDigit(c) && c < 128) && c != '_' && c != ':') {
                break;
            }
            i++;
        }
        return i;
    }

    private static int skipBlanks(String line, int from) {
        int i = from;
        while (i < line.length() && isBlank(line.charAt(i))) {
            i++;
        }
        return i;
    }

    private static boolean isBlank(char c) {
        return c == ' ' || c == '\t';
    }

    private static double sum(double[] sums, int[] counts, Gauge gauge) {
        return counts[gauge.ordinal()] > 0 ? sums[gauge.ordinal()] : Double.NaN;
    }

    private static double mean(double[] sums, int[] counts, Gauge gauge) {
        int count = counts[gauge.ordinal()];
        return count > 0 ? sums[gauge.ordinal()] / count : Double.NaN;
    }
}
