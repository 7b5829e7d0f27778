package io.infergate.server.testing;

import com.sun.net.httpserver.HttpServer;
import io.infergate.testing.Await;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceRequest;
import io.opentelemetry.proto.collector.trace.v1.ExportTraceServiceResponse;
import io.opentelemetry.proto.common.v1.AnyValue;
import io.opentelemetry.proto.common.v1.KeyValue;
import io.opentelemetry.proto.resource.v1.Resource;
import io.opentelemetry.proto.trace.v1.ResourceSpans;
import io.opentelemetry.proto.trace.v1.ScopeSpans;
import io.opentelemetry.proto.trace.v1.Span;

import java.io.IOException;
import java.io.InputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;
import java.util.zip.GZIPInputStream;

/**
 * A collector in the test: an OTLP/HTTP endpoint on an ephemeral loopback port that decodes each
 * {@code ExportTraceServiceRequest} and keeps its spans, as a real collector would receive them.
 */
public final class OtlpReceiver implements AutoCloseable {

    /** A span as received, with the resource it came with. */
    public record Received(Span span, Resource resource) {

        public String traceId() {
            return HexFormat.of().formatHex(span.getTraceId().toByteArray());
        }

        public String spanId() {
            return HexFormat.of().formatHex(span.getSpanId().toByteArray());
        }

        public String parentSpanId() {
            return HexFormat.of().formatHex(span.getParentSpanId().toByteArray());
        }

        public String name() {
            return span.getName();
        }

        public Span.SpanKind kind() {
            return span.getKind();
        }

        /** An attribute's value as text (numbers and booleans too); null when absent. */
        public String attribute(String key) {
            return OtlpReceiver.attribute(span.getAttributesList(), key);
        }

        public List<Span.Event> events(String name) {
            return span.getEventsList().stream().filter(e -> e.getName().equals(name)).toList();
        }

        public String eventAttribute(Span.Event event, String key) {
            return OtlpReceiver.attribute(event.getAttributesList(), key);
        }

        public String resourceAttribute(String key) {
            return OtlpReceiver.attribute(resource.getAttributesList(), key);
        }
    }

    private final HttpServer server;
    private final List<Received> spans = new CopyOnWriteArrayList<>();
    private final List<Map<String, List<String>>> requestHeaders = new CopyOnWriteArrayList<>();

    public OtlpReceiver() throws IOException {
        server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        server.createContext("/v1/traces", exchange -> {
            try (exchange) {
                requestHeaders.add(Map.copyOf(exchange.getRequestHeaders()));
                InputStream in = exchange.getRequestBody();
                if ("gzip".equalsIgnoreCase(exchange.getRequestHeaders().getFirst("Content-Encoding"))) {
                    in = new GZIPInputStream(in);
                }
                ExportTraceServiceRequest request = ExportTraceServiceRequest.parseFrom(in.readAllBytes());
                for (ResourceSpans resourceSpans : request.getResourceSpansList()) {
                    for (ScopeSpans scopeSpans : resourceSpans.getScopeSpansList()) {
                        for (Span span : scopeSpans.getSpansList()) {
                            spans.add(new Received(span, resourceSpans.getResource()));
                        }
                    }
                }
                byte[] answer = ExportTraceServiceResponse.getDefaultInstance().toByteArray();
                exchange.getResponseHeaders().set("Content-Type", "application/x-protobuf");
                exchange.sendResponseHeaders(200, answer.length == 0 ? -1 : answer.length);
                exchange.getResponseBody().write(answer);
            }
        });
        server.start();
    }

    /** The base URL, as {@code tracing.otlpEndpoint} takes it. */
    public String url() {
        return "http://127.0.0.1:" + server.getAddress().getPort();
    }

    public List<Received> spans() {
        return List.copyOf(spans);
    }

    /** The headers of every export request received. */
    public List<Map<String, List<String>>> requestHeaders() {
        return List.copyOf(requestHeaders);
    }

    public List<Received> spans(Predicate<Received> which) {
        return spans.stream().filter(which).toList();
    }

    /** Waits (bounded) until at least {@code count} received spans match. */
    public List<Received> await(String what, int count, Duration limit, Predicate<Received> which) {
        Await.until(count + " " + what + " (have " + spans(which).size() + ")", limit, () -> spans(which).size() >= count);
        return spans(which);
    }

    static String attribute(List<KeyValue> attributes, String key) {
        for (KeyValue attribute : attributes) {
            if (attribute.getKey().equals(key)) {
                AnyValue value = attribute.getValue();
                return switch (value.getValueCase()) {
                    case STRING_VALUE -> value.getStringValue();
                    case INT_VALUE -> Long.toString(value.getIntValue());
                    case DOUBLE_VALUE -> Double.toString(value.getDoubleValue());
                    case BOOL_VALUE -> Boolean.toString(value.getBoolValue());
                    default -> value.toString();
                };
            }
        }
        return null;
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
