package io.infergate.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Binds {@code tracing:}. Absent, the gateway does not trace, whatever the environment says. Present,
 * each key left out is taken from the standard {@code OTEL_*} variable that means the same, then
 * from OpenTelemetry's own default. The export headers are read from the environment now and
 * registered as secrets, so no message can show them.
 */
final class TracingBinder {

    static final List<String> KEYS = List.of("otlpEndpoint", "protocol", "sampleRatio", "serviceName", "headersEnv",
            "responseTraceparent", "queueSize", "batchSize", "scheduleDelay", "exportTimeout");
    static final int MAX_QUEUE_SIZE = 1_000_000;

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final String TRACES_PATH = "/v1/traces";

    private final EnvSubstitution env;
    private final Problems problems;

    TracingBinder(EnvSubstitution env, Problems problems) {
        this.env = env;
        this.problems = problems;
    }

    TracingConfig bind(ConfigNode tracing) {
        if (tracing.isAbsent() || "true".equalsIgnoreCase(env.valueOf("OTEL_SDK_DISABLED"))) {
            return TracingConfig.OFF;
        }
        if (!tracing.isMap()) {
            tracing.report("expected a map, e.g. { otlpEndpoint: \"http://127.0.0.1:4318\", sampleRatio: 0.01 }");
            return TracingConfig.OFF;
        }
        if (!tracing.checkMap(KEYS)) {
            return TracingConfig.OFF;
        }
        TracingConfig.Protocol protocol = protocol(tracing.get("protocol"));
        URI endpoint = endpoint(tracing.get("otlpEndpoint"), protocol);
        double ratio = sampleRatio(tracing.get("sampleRatio"));
        String serviceName = tracing.get("serviceName").string(envOr("OTEL_SERVICE_NAME", TracingConfig.DEFAULT_SERVICE_NAME));
        Map<String, String> headers = headers(tracing.get("headersEnv"));
        boolean responseTraceparent = tracing.get("responseTraceparent").bool(true);
        int queueSize = tracing.get("queueSize").integer(TracingConfig.DEFAULT_QUEUE_SIZE, 1, MAX_QUEUE_SIZE);
        ConfigNode batchNode = tracing.get("batchSize");
        int batchSize = batchNode.integer(Math.min(TracingConfig.DEFAULT_BATCH_SIZE, queueSize), 1, MAX_QUEUE_SIZE);
        if (batchSize > queueSize) {
            batchNode.report(batchSize + " is more than queueSize " + queueSize + " (expected: at most queueSize)");
            batchSize = queueSize;
        }
        Duration scheduleDelay = tracing.get("scheduleDelay").positiveDuration(TracingConfig.DEFAULT_SCHEDULE_DELAY);
        Duration exportTimeout = tracing.get("exportTimeout").positiveDuration(TracingConfig.DEFAULT_EXPORT_TIMEOUT);
        if (endpoint == null) {
            return TracingConfig.OFF;
        }
        return new TracingConfig(true, endpoint, protocol, ratio, serviceName, headers, responseTraceparent, queueSize,
                batchSize, scheduleDelay, exportTimeout);
    }

    private TracingConfig.Protocol protocol(ConfigNode node) {
        String word = node.string(envOr("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL",
                envOr("OTEL_EXPORTER_OTLP_PROTOCOL", TracingConfig.Protocol.HTTP_PROTOBUF.word())));
        for (TracingConfig.Protocol protocol : TracingConfig.Protocol.values()) {
            if (protocol.word().equals(word)) {
                return protocol;
            }
        }
        node.report('"' + word + "\" is not a protocol (expected: http/protobuf or grpc)");
        return TracingConfig.Protocol.HTTP_PROTOBUF;
    }

    /**
     * The URL spans go to: the key, else {@code OTEL_EXPORTER_OTLP_TRACES_ENDPOINT} (taken as it is),
     * else {@code OTEL_EXPORTER_OTLP_ENDPOINT}, else the local collector. Over http/protobuf a URL
     * without a path gets {@code /v1/traces}, as a collector's base URL would. Null after reporting.
     */
    private URI endpoint(ConfigNode node, TracingConfig.Protocol protocol) {
        String text = node.isAbsent() ? env.valueOf("OTEL_EXPORTER_OTLP_TRACES_ENDPOINT") : node.requiredString();
        if (node.isAbsent() && text == null) {
            text = envOr("OTEL_EXPORTER_OTLP_ENDPOINT", "http://localhost:" + protocol.defaultPort());
        }
        if (text == null) {
            return null;
        }
        URI url = node.url(text);
        if (url == null) {
            return null;
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || url.getHost() == null) {
            node.report("expected an http or https URL with a host, e.g. http://127.0.0.1:" + protocol.defaultPort());
            return null;
        }
        if (url.getRawUserInfo() != null) {
            node.report("must not hold credentials (value not shown); put export headers in tracing.headersEnv");
            return null;
        }
        String path = url.getRawPath() == null ? "" : url.getRawPath();
        if (protocol == TracingConfig.Protocol.HTTP_PROTOBUF && (path.isEmpty() || path.equals("/"))) {
            return url.resolve(TRACES_PATH);
        }
        return url;
    }

    /** Parent-based: the ratio applies to requests that come without a sampling decision. */
    private double sampleRatio(ConfigNode node) {
        String fallback = "1";
        String sampler = env.valueOf("OTEL_TRACES_SAMPLER");
        if (sampler != null && sampler.endsWith("traceidratio") && env.isSet("OTEL_TRACES_SAMPLER_ARG")) {
            fallback = env.valueOf("OTEL_TRACES_SAMPLER_ARG");
        }
        String text = node.string(fallback);
        try {
            double ratio = Double.parseDouble(text);
            if (ratio >= 0 && ratio <= 1) {
                return ratio;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        node.report('"' + text + "\" is not a ratio (expected: a number from 0 to 1, such as 0.01)");
        return 1;
    }

    /**
     * Export headers from the variable {@code headersEnv} names, else from
     * {@code OTEL_EXPORTER_OTLP_TRACES_HEADERS} or {@code OTEL_EXPORTER_OTLP_HEADERS}: {@code name=value}
     * pairs separated by commas, values percent-decoded as OpenTelemetry reads them.
     */
    private Map<String, String> headers(ConfigNode headersEnv) {
        String variable;
        if (headersEnv.isAbsent()) {
            variable = env.isSet("OTEL_EXPORTER_OTLP_TRACES_HEADERS") ? "OTEL_EXPORTER_OTLP_TRACES_HEADERS"
                    : "OTEL_EXPORTER_OTLP_HEADERS";
        } else {
            variable = headersEnv.requiredString();
            if (variable == null) {
                return Map.of();
            }
            if (!VARIABLE_NAME.matcher(variable).matches()) {
                problems.addSecret(variable);
                headersEnv.report("must be the name of an environment variable that holds the headers,"
                        + " not the headers themselves (value not shown)");
                return Map.of();
            }
            if (env.valueOf(variable) == null) {
                headersEnv.report("environment variable " + variable + " is not set");
                return Map.of();
            }
        }
        String text = env.valueOf(variable);
        if (text == null || text.isBlank()) {
            return Map.of();
        }
        problems.addSecret(text);
        Map<String, String> headers = new LinkedHashMap<>();
        for (String pair : text.split(",")) {
            int equals = pair.indexOf('=');
            if (pair.isBlank()) {
                continue;
            }
            if (equals <= 0) {
                headersEnv.report("environment variable " + variable + " must hold name=value pairs separated"
                        + " by commas (value not shown)");
                return Map.of();
            }
            String value = java.net.URLDecoder.decode(pair.substring(equals + 1).trim(), java.nio.charset.StandardCharsets.UTF_8);
            problems.addSecret(value);
            headers.put(pair.substring(0, equals).trim(), value);
        }
        return headers;
    }

    private String envOr(String variable, String fallback) {
        return env.isSet(variable) ? env.valueOf(variable) : fallback;
    }
}
