package io.infergate.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * OpenTelemetry traces ({@code tracing:}): off unless the section is there. Spans go over OTLP to
 * {@code otlpEndpoint}, sampled parent-first: a client's sampled flag is followed, and a request
 * without trace context starts a trace with probability {@code sampleRatio}.
 *
 * @param enabled             whether the gateway traces at all; false: no span, no header read
 * @param otlpEndpoint        where spans are exported: for http/protobuf the full traces URL
 * @param protocol            OTLP over HTTP with protobuf bodies, or gRPC
 * @param sampleRatio         the share of new traces kept, 0 to 1
 * @param serviceName         {@code service.name} on every span
 * @param headers             sent with every export (a collector's credentials); never shown
 * @param responseTraceparent whether a client that sent {@code traceparent} gets the gateway's span in the response
 * @param queueSize           spans waiting for export at most; more are dropped and counted
 * @param batchSize           spans sent in one export at most
 * @param scheduleDelay       how long a span waits at most for its batch to be sent
 * @param exportTimeout       how long one export may take
 */
public record TracingConfig(boolean enabled, URI otlpEndpoint, Protocol protocol, double sampleRatio,
                            String serviceName, Map<String, String> headers, boolean responseTraceparent,
                            int queueSize, int batchSize, Duration scheduleDelay, Duration exportTimeout) {

    public static final String DEFAULT_SERVICE_NAME = "infergate";
    public static final int DEFAULT_QUEUE_SIZE = 2048;
    public static final int DEFAULT_BATCH_SIZE = 512;
    public static final Duration DEFAULT_SCHEDULE_DELAY = Duration.ofSeconds(1);
    public static final Duration DEFAULT_EXPORT_TIMEOUT = Duration.ofSeconds(10);

    public static final TracingConfig OFF = new TracingConfig(false, null, Protocol.HTTP_PROTOBUF, 1.0,
            DEFAULT_SERVICE_NAME, Map.of(), true, DEFAULT_QUEUE_SIZE, DEFAULT_BATCH_SIZE, DEFAULT_SCHEDULE_DELAY,
            DEFAULT_EXPORT_TIMEOUT);

    public TracingConfig {
        Objects.requireNonNull(protocol, "protocol");
        Objects.requireNonNull(serviceName, "serviceName");
        headers = Map.copyOf(headers);
        if (enabled && otlpEndpoint == null) {
            throw new IllegalArgumentException("otlpEndpoint: required when tracing is on");
        }
        if (!(sampleRatio >= 0 && sampleRatio <= 1)) {
            throw new IllegalArgumentException("sampleRatio: " + sampleRatio + " (expected: 0 to 1)");
        }
        if (queueSize < 1 || batchSize < 1 || batchSize > queueSize) {
            throw new IllegalArgumentException("batchSize " + batchSize + ", queueSize " + queueSize
                    + " (expected: 1 <= batchSize <= queueSize)");
        }
    }

    /** How spans travel to the collector; named as {@code OTEL_EXPORTER_OTLP_PROTOCOL} names them. */
    public enum Protocol {
        HTTP_PROTOBUF("http/protobuf", 4318), GRPC("grpc", 4317);

        private final String word;
        private final int defaultPort;

        Protocol(String word, int defaultPort) {
            this.word = word;
            this.defaultPort = defaultPort;
        }

        public String word() {
            return word;
        }

        /** The collector's usual port for this protocol, for an endpoint left to its default. */
        public int defaultPort() {
            return defaultPort;
        }

        @Override
        public String toString() {
            return word;
        }
    }
}
