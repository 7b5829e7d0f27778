package io.infergate.core.load;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.json.JsonMapper;
import io.infergate.core.load.OrcaReportBuilder.Metrics;
import io.infergate.core.load.OrcaReportBuilder.Scalar;

import java.util.Base64;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads ORCA load reports from response headers, as Envoy does: {@code endpoint-load-metrics} with a
 * {@code TEXT }, {@code JSON } or {@code BIN } prefix, or the legacy {@code endpoint-load-metrics-bin}
 * (gRPC's trailer key), which wins when both are present. Beyond Envoy, NaN, infinite and negative
 * values are refused in every encoding, not only in TEXT, and base64 may be unpadded or URL-safe, since
 * grpc-go sends it unpadded.
 */
public final class OrcaLoadParser {

    public static final String HEADER = "endpoint-load-metrics";
    public static final String BIN_HEADER = "endpoint-load-metrics-bin";

    // tags (field number << 3 | wire type) from xds/data/orca/v3/orca_load_report.proto
    private static final int CPU_UTILIZATION = 1 << 3 | ProtoReader.FIXED64;
    private static final int MEM_UTILIZATION = 2 << 3 | ProtoReader.FIXED64;
    private static final int REQUEST_COST = 4 << 3 | ProtoReader.LENGTH_DELIMITED;
    private static final int UTILIZATION = 5 << 3 | ProtoReader.LENGTH_DELIMITED;
    private static final int RPS_FRACTIONAL = 6 << 3 | ProtoReader.FIXED64;
    private static final int EPS = 7 << 3 | ProtoReader.FIXED64;
    private static final int NAMED_METRICS = 8 << 3 | ProtoReader.LENGTH_DELIMITED;
    private static final int APPLICATION_UTILIZATION = 9 << 3 | ProtoReader.FIXED64;
    private static final int ENTRY_KEY = 1 << 3 | ProtoReader.LENGTH_DELIMITED;
    private static final int ENTRY_VALUE = 2 << 3 | ProtoReader.FIXED64;

    private static final JsonMapper JSON = JsonMapper.builder()
            .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
            .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
            .build();

    private OrcaLoadParser() {}

    /**
     * The report in a response's headers; {@link OrcaReport#EMPTY} when it carries none.
     *
     * @param headers a header's value by its lowercase name, null when absent
     */
    /** What a response without a report says: nothing, the same answer every time. */
    private static final Parsed<OrcaReport> NONE = Parsed.accepted(OrcaReport.EMPTY);

    public static Parsed<OrcaReport> fromHeaders(Function<String, String> headers) {
        String binary = headers.apply(BIN_HEADER);
        if (binary != null) {
            return parseBinary(binary);
        }
        String value = headers.apply(HEADER);
        return value == null ? NONE : parse(value);
    }

    /** An {@code endpoint-load-metrics} value: a format word, a space, then the report. */
    public static Parsed<OrcaReport> parse(String headerValue) {
        String value = headerValue.strip();
        int space = value.indexOf(' ');
        String format = space < 0 ? value : value.substring(0, space);
        String body = space < 0 ? "" : value.substring(space + 1);
        switch (format) {
            case "TEXT" -> {
                return parseText(body);
            }
            case "JSON" -> {
                return parseJson(body);
            }
            case "BIN" -> {
                return parseBinary(body);
            }
            default -> {
                return Parsed.rejected("unsupported ORCA header format: " + Numbers.shown(format));
            }
        }
    }

    /** A base64 serialized {@code OrcaLoadReport}: padded or not, standard or URL-safe alphabet. */
    public static Parsed<OrcaReport> parseBinary(String base64) {
        String text = base64.strip();
        int end = text.length();
        while (end > 0 && text.charAt(end - 1) == '=') {
            end--;
        }
        if (text.length() - end > 2) {
            return Parsed.rejected("binary value is not base64: too much padding");
        }
        text = text.substring(0, end);
        if (text.isEmpty()) {
            return Parsed.rejected("binary value is empty");
        }
        boolean urlSafe = text.indexOf('-') >= 0 || text.indexOf('_') >= 0;
        if (urlSafe && (text.indexOf('+') >= 0 || text.indexOf('/') >= 0)) {
            return Parsed.rejected("binary value mixes the standard and URL-safe base64 alphabets");
        }
        byte[] bytes;
        try {
            bytes = (urlSafe ? Base64.getUrlDecoder() : Base64.getDecoder()).decode(text);
        } catch (IllegalArgumentException e) {
            return Parsed.rejected("binary value is not base64: " + Numbers.shown(text));
        }
        return parseProto(bytes);
    }

    /** Comma-separated {@code key=value} (or {@code key:value}) pairs. */
    private static Parsed<OrcaReport> parseText(String body) {
        OrcaReportBuilder report = new OrcaReportBuilder(false);
        for (String pair : body.split(",", -1)) {
            String entry = pair.strip();
            if (entry.isEmpty()) {
                continue;
            }
            int split = firstOf(entry, '=', ':');
            if (split < 0) {
                return Parsed.rejected("metric without a value: " + Numbers.shown(entry));
            }
            String key = entry.substring(0, split).strip();
            Parsed<Double> value = Numbers.nonNegative(key, entry.substring(split + 1));
            String problem = textKeyProblem(key);
            if (problem == null && value instanceof Parsed.Rejected<Double> rejected) {
                problem = rejected.reason();
            }
            if (problem == null) {
                problem = setText(report, key, value.orElseThrow());
            }
            if (problem != null) {
                return Parsed.rejected(problem);
            }
        }
        return Parsed.accepted(report.build());
    }

    /** Why {@code key} names no TEXT field, or null; {@code named_metrics.} and {@code utilization.} take any name. */
    private static String textKeyProblem(String key) {
        if (key.isEmpty()) {
            return "metric name is empty";
        }
        Scalar scalar = Scalar.named(key);
        if (scalar != null && scalar.protoName.equals(key)) {
            return null;
        }
        int dot = key.indexOf('.');
        String prefix = dot < 0 ? "" : key.substring(0, dot);
        if (prefix.equals(Metrics.NAMED_METRICS.protoName) || prefix.equals(Metrics.UTILIZATION.protoName)) {
            return null;
        }
        return "unknown metric: " + Numbers.shown(key);
    }

    private static String setText(OrcaReportBuilder report, String key, double value) {
        Scalar scalar = Scalar.named(key);
        if (scalar != null) {
            return report.set(scalar, value);
        }
        int dot = key.indexOf('.');
        return report.put(Metrics.named(key.substring(0, dot)), key.substring(dot + 1), value);
    }

    /** The proto3 JSON form, with either spelling of each field name; unknown fields are refused. */
    private static Parsed<OrcaReport> parseJson(String body) {
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (JacksonException e) {
            return Parsed.rejected("invalid JSON: " + Numbers.shown(e.getOriginalMessage()));
        }
        if (root == null || !root.isObject()) {
            return Parsed.rejected("JSON report is not an object");
        }
        OrcaReportBuilder report = new OrcaReportBuilder(false);
        for (Map.Entry<String, JsonNode> field : root.properties()) {
            String problem = setJson(report, field.getKey(), field.getValue());
            if (problem != null) {
                return Parsed.rejected(problem);
            }
        }
        return Parsed.accepted(report.build());
    }

    private static String setJson(OrcaReportBuilder report, String name, JsonNode node) {
        if (node.isNull()) {
            return null;
        }
        Scalar scalar = Scalar.named(name);
        if (scalar != null) {
            Parsed<Double> value = jsonNumber(scalar.protoName, node);
            return value instanceof Parsed.Rejected<Double> rejected
                    ? rejected.reason()
                    : report.set(scalar, value.orElseThrow());
        }
        Metrics metrics = Metrics.named(name);
        if (metrics != null) {
            if (!node.isObject()) {
                return metrics.protoName + " is not an object";
            }
            for (Map.Entry<String, JsonNode> entry : node.properties()) {
                Parsed<Double> value = jsonNumber(metrics.protoName + "." + entry.getKey(), entry.getValue());
                String problem = value instanceof Parsed.Rejected<Double> rejected
                        ? rejected.reason()
                        : report.put(metrics, entry.getKey(), value.orElseThrow());
                if (problem != null) {
                    return problem;
                }
            }
            return null;
        }
        if (name.equals("rps")) {
            return node.isIntegralNumber() || node.isTextual() ? null : "rps is not an integer";
        }
        return "unknown field: " + Numbers.shown(name);
    }

    /** A proto3 JSON double: a number, or a string holding one. */
    private static Parsed<Double> jsonNumber(String name, JsonNode node) {
        if (node.isNumber()) {
            double value = node.doubleValue();
            String problem = Numbers.problem(name, value);
            return problem == null ? Parsed.accepted(value) : Parsed.rejected(problem);
        }
        if (node.isTextual()) {
            return Numbers.nonNegative(name, node.textValue());
        }
        return Parsed.rejected(name + " is not a number");
    }

    private static Parsed<OrcaReport> parseProto(byte[] bytes) {
        OrcaReportBuilder report = new OrcaReportBuilder(true);
        ProtoReader in = new ProtoReader(bytes);
        try {
            while (!in.atEnd()) {
                int tag = in.tag();
                String problem = switch (tag) {
                    case CPU_UTILIZATION -> report.set(Scalar.CPU_UTILIZATION, in.fixed64Double());
                    case MEM_UTILIZATION -> report.set(Scalar.MEM_UTILIZATION, in.fixed64Double());
                    case APPLICATION_UTILIZATION -> report.set(Scalar.APPLICATION_UTILIZATION, in.fixed64Double());
                    case RPS_FRACTIONAL -> report.set(Scalar.RPS_FRACTIONAL, in.fixed64Double());
                    case EPS -> report.set(Scalar.EPS, in.fixed64Double());
                    case REQUEST_COST -> mapEntry(report, Metrics.REQUEST_COST, in.message());
                    case UTILIZATION -> mapEntry(report, Metrics.UTILIZATION, in.message());
                    case NAMED_METRICS -> mapEntry(report, Metrics.NAMED_METRICS, in.message());
                    default -> {
                        // rps (3, a varint) and fields of newer versions of the proto; a known number
                        // with an unexpected wire type is an unknown field to protobuf too
                        in.skip(tag);
                        yield null;
                    }
                };
                if (problem != null) {
                    return Parsed.rejected(problem);
                }
            }
        } catch (ProtoReader.Malformed e) {
            return Parsed.rejected("malformed binary report: " + e.getMessage());
        }
        return Parsed.accepted(report.build());
    }

    /** A map entry: key = 1 (string), value = 2 (double); a missing part takes its default. */
    private static String mapEntry(OrcaReportBuilder report, Metrics metrics, ProtoReader entry)
            throws ProtoReader.Malformed {
        String key = "";
        double value = 0;
        while (!entry.atEnd()) {
            int tag = entry.tag();
            if (tag == ENTRY_KEY) {
                key = entry.string();
            } else if (tag == ENTRY_VALUE) {
                value = entry.fixed64Double();
            } else {
                entry.skip(tag);
            }
        }
        return report.put(metrics, key, value);
    }

    private static int firstOf(String text, char a, char b) {
        int first = text.indexOf(a);
        int second = text.indexOf(b);
        return first < 0 ? second : second < 0 ? first : Math.min(first, second);
    }
}
