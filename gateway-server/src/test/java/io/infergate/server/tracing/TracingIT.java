package io.infergate.server.tracing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.OtlpReceiver;
import io.infergate.server.testing.PrometheusText;
import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import io.opentelemetry.proto.trace.v1.Span;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Traces end to end: a real gateway exports to an OTLP/HTTP receiver in the test, which decodes
 * what a collector would get; the upstreams record the trace context they were sent.
 */
class TracingIT {

    static final ObjectMapper JSON = new ObjectMapper();
    static final String CLIENT_TRACE = "4bf92f3577b34da6a3ce929d0e0e4736";
    static final String CLIENT_SPAN = "00f067aa0ba902b7";
    /** Trace id, parent span id, flags (bit 0: sampled; bit 1: the trace id is random, as W3C level 2 says). */
    static final Pattern TRACEPARENT = Pattern.compile("00-([0-9a-f]{32})-([0-9a-f]{16})-([0-9a-f]{2})");
    static final String KEY = "acme-secret-key-000001";
    static final Duration EXPORTED = Duration.ofSeconds(10);

    @StartStop
    private final MockWebServer primary = new MockWebServer();
    @StartStop
    private final MockWebServer fallback = new MockWebServer();
    @AutoClose
    private final OtlpReceiver collector = new OtlpReceiver();
    @AutoClose
    private TestGateway gateway;

    TracingIT() throws Exception {}

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }

    /** A route {@code chat} over {@code large} (the primary) and {@code small} (the fallback, its own model). */
    private void gateway(String serverYaml, String tracingYaml, String routeYaml) throws Exception {
        gateway = TestGateway.start("""
                server: { port: 0, adminPort: 0%s }
                %s
                auth: { required: true }
                tenants:
                  - { name: acme, keySha256: "%s", tier: premium }
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                %s
                    upstreams:
                      - name: large
                        endpoints: [ "http://127.0.0.1:%d" ]
                      - name: small
                        endpoints: [ "http://127.0.0.1:%d" ]
                        rewriteModel: small-model
                """.formatted(serverYaml, tracingYaml, sha256(KEY), TestGateway.indent(routeYaml, "    "),
                primary.getPort(), fallback.getPort()));
    }

    private String tracing(String ratio) {
        return "tracing: { otlpEndpoint: \"" + collector.url() + "\", sampleRatio: " + ratio
                + ", scheduleDelay: 50ms, serviceName: gateway-under-test }";
    }

    private HttpRequest.Builder chat(String body) {
        return HttpRequest.newBuilder(gateway.uri("/v1/chat/completions"))
                .timeout(Duration.ofSeconds(20))
                .header("Authorization", "Bearer " + KEY)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(body));
    }

    private static MockResponse status(int code) {
        return new MockResponse.Builder().code(code).body("{\"error\":\"busy\"}").build();
    }

    private static String[] traceparent(RecordedRequest request) {
        String header = request.getHeaders().get("traceparent");
        assertNotNull(header, "the upstream got a traceparent");
        Matcher m = TRACEPARENT.matcher(header);
        assertTrue(m.matches(), header);
        return new String[] {m.group(1), m.group(2), m.group(3)};
    }

    @Test
    void aRequestRetriedOnceThenServedByTheFallbackIsOneTraceOfAServerSpanAndThreeAttemptSpans(@TempDir Path dir)
            throws Exception {
        Path log = dir.resolve("access.log");
        gateway(", accessLog: { file: \"" + log + "\" }", tracing("1.0"), "retry: { attempts: 2, backoff: 10ms }");
        primary.enqueue(status(503));
        primary.enqueue(status(503));
        fallback.enqueue(new MockResponse.Builder().addHeader("Content-Type", "application/json")
                .addHeader("x-prompt-tokens", "12").addHeader("x-generated-tokens", "40")
                .body("{\"choices\":[]}").build());

        HttpResponse<String> response = TestGateway.send(chat(
                "{\"model\":\"large-model\",\"max_tokens\":64,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}")
                .header("traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01")
                .header("tracestate", "vendor=opaque")
                .header("X-Request-Id", "req-traced-1").build());
        assertEquals(200, response.statusCode());
        assertEquals("req-traced-1", response.headers().firstValue("x-request-id").orElseThrow(), "X-Request-Id as it was");

        List<OtlpReceiver.Received> spans = collector.await("spans of the trace", 4, EXPORTED,
                s -> s.traceId().equals(CLIENT_TRACE));
        assertEquals(4, spans.size(), "one server span and three attempts: " + spans);
        OtlpReceiver.Received server = spans.stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER).findFirst()
                .orElseThrow();
        List<OtlpReceiver.Received> attempts = spans.stream().filter(s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT)
                .sorted((a, b) -> a.attribute("gateway.attempt").compareTo(b.attribute("gateway.attempt"))).toList();
        assertEquals(3, attempts.size());

        // The client's context is honoured, and answered.
        assertEquals(CLIENT_SPAN, server.parentSpanId(), "the server span is a child of the client's");
        assertEquals("vendor=opaque", server.span().getTraceState());
        assertEquals("00-" + CLIENT_TRACE + "-" + server.spanId() + "-01",
                response.headers().firstValue("traceparent").orElseThrow());
        assertEquals("gateway-under-test", server.resourceAttribute("service.name"));

        // GenAI conventions and the gateway's own attributes.
        assertEquals("chat large-model", server.name());
        assertEquals("chat", server.attribute("gen_ai.operation.name"));
        assertEquals("large-model", server.attribute("gen_ai.request.model"));
        assertEquals("small-model", server.attribute("gen_ai.response.model"), "the fallback's model answered");
        assertEquals("64", server.attribute("gen_ai.request.max_tokens"));
        assertEquals("12", server.attribute("gen_ai.usage.input_tokens"));
        assertEquals("40", server.attribute("gen_ai.usage.output_tokens"));
        assertEquals("127.0.0.1", server.attribute("server.address"));
        assertEquals(Integer.toString(gateway.port()), server.attribute("server.port"));
        assertEquals("chat", server.attribute("gateway.route"));
        assertEquals("acme", server.attribute("gateway.tenant"));
        assertEquals("premium", server.attribute("gateway.tier"));
        assertEquals("success", server.attribute("gateway.outcome"));
        assertEquals("200", server.attribute("http.response.status_code"));
        assertEquals("true", server.attribute("gateway.fallback"));
        assertEquals("req-traced-1", server.attribute("gateway.request_id"));
        assertEquals(1, server.events("gateway.admission.admitted").size(), "admission is an event");
        for (OtlpReceiver.Received span : spans) {
            assertFalse(span.span().toString().contains(KEY), "the tenant's key is in no span");
        }

        // One client span per attempt, each a child of the server span, with why it was made.
        List<String> reasons = attempts.stream().map(a -> a.attribute("gateway.attempt.reason")).toList();
        assertEquals(List.of("first", "retry", "fallback"), reasons);
        assertEquals(List.of("503", "503", "200"), attempts.stream().map(a -> a.attribute("http.response.status_code")).toList());
        assertEquals(List.of("large", "large", "small"), attempts.stream().map(a -> a.attribute("gateway.upstream")).toList());
        assertEquals("503", attempts.get(0).attribute("error.type"));
        assertEquals("503", attempts.get(1).attribute("gateway.attempt.after"));
        assertEquals("503", attempts.get(2).attribute("gateway.attempt.after"));
        assertEquals("closed", attempts.get(2).attribute("gateway.breaker.state"));
        assertEquals("http://127.0.0.1:" + fallback.getPort(), attempts.get(2).attribute("gateway.endpoint"));
        assertEquals("small-model", attempts.get(2).attribute("gen_ai.request.model"));
        for (OtlpReceiver.Received attempt : attempts) {
            assertEquals(server.spanId(), attempt.parentSpanId());
        }

        // Each endpoint got a traceparent whose parent is its own attempt's span.
        List<RecordedRequest> upstreamSaw = List.of(primary.takeRequest(5, TimeUnit.SECONDS),
                primary.takeRequest(5, TimeUnit.SECONDS), fallback.takeRequest(5, TimeUnit.SECONDS));
        for (int i = 0; i < 3; i++) {
            String[] sent = traceparent(upstreamSaw.get(i));
            assertEquals(CLIENT_TRACE, sent[0]);
            assertEquals(attempts.get(i).spanId(), sent[1], "attempt " + (i + 1) + "'s endpoint is its child");
            assertEquals("01", sent[2], "sampled, as the client's was");
            assertEquals("vendor=opaque", upstreamSaw.get(i).getHeaders().get("tracestate"));
        }

        // The access log line names the trace.
        Await.untilHolds("the access log line", Duration.ofSeconds(5), () -> !Files.readString(log).isBlank());
        JsonNode line = JSON.readTree(Files.readString(log).lines().findFirst().orElseThrow());
        assertEquals(CLIENT_TRACE, line.get("traceId").asText());
        assertEquals("req-traced-1", line.get("requestId").asText());
    }

    @Test
    void aQueuedRequestAndAShedOneSayWhyInTheirSpans() throws Exception {
        gateway("", tracing("1.0"), "admission: { maxInFlightPerEndpoint: 1, queue: 1, maxQueueWait: 30s }");
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        primary.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                release.await(20, TimeUnit.SECONDS);
                return new MockResponse.Builder().body("{}").build();
            }
        });
        var first = TestGateway.sendAsync(chat("{\"model\":\"m\",\"n\":1}").build());
        Await.until("the first request reached the endpoint", Duration.ofSeconds(10), () -> primary.getRequestCount() == 1);
        var second = TestGateway.sendAsync(chat("{\"model\":\"m\",\"n\":2}").build());
        Await.untilHolds("the second request queued", Duration.ofSeconds(10),
                () -> gateway.metrics().value(MeterNames.QUEUE_DEPTH, Map.of("route", "chat")) == 1);
        HttpResponse<String> third = TestGateway.send(chat("{\"model\":\"m\",\"n\":3}").build());
        assertEquals(429, third.statusCode());
        release.countDown();
        assertEquals(200, first.get(20, TimeUnit.SECONDS).statusCode());
        assertEquals(200, second.get(20, TimeUnit.SECONDS).statusCode());

        List<OtlpReceiver.Received> servers = collector.await("server spans", 3, EXPORTED,
                s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER);
        OtlpReceiver.Received shed = servers.stream().filter(s -> "429".equals(s.attribute("http.response.status_code")))
                .findFirst().orElseThrow();
        Span.Event refused = shed.events("gateway.admission.refused").get(0);
        assertEquals("queue_full", shed.eventAttribute(refused, "gateway.cause"));
        assertEquals("queue_full", shed.attribute("error.type"));
        assertNotNull(shed.eventAttribute(refused, "gateway.queue.predicted_wait_s"));
        OtlpReceiver.Received queued = servers.stream().filter(s -> !s.events("gateway.admission.queued").isEmpty())
                .findFirst().orElseThrow(() -> new AssertionError("a span with a queued event: " + servers));
        assertEquals("1", queued.eventAttribute(queued.events("gateway.admission.queued").get(0), "gateway.queue.depth"));
        double waited = Double.parseDouble(queued.eventAttribute(queued.events("gateway.admission.admitted").get(0),
                "gateway.queue.wait_s"));
        assertTrue(waited > 0, "the queued request's wait is told: " + waited);
    }

    @Test
    void theLatencyHistogramCarriesASampledRequestsTraceAsItsExemplar() throws Exception {
        gateway("", tracing("1.0"), "");
        primary.enqueue(new MockResponse.Builder().body("{}").build());
        HttpResponse<String> response = TestGateway.send(chat("{\"model\":\"m\"}")
                .header("traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01").build());
        assertEquals(200, response.statusCode());
        String openMetrics = TestGateway.send(HttpRequest.newBuilder(gateway.adminUri("/metrics"))
                .header("Accept", "application/openmetrics-text; version=1.0.0").build()).body();
        assertTrue(openMetrics.lines().anyMatch(l -> l.startsWith("gateway_request_duration_seconds_bucket{")
                && l.contains("trace_id=\"" + CLIENT_TRACE + "\"")), "an exemplar names the trace");
        assertTrue(openMetrics.endsWith("# EOF\n"));
        String plain = gateway.admin("/metrics").body();
        assertFalse(plain.contains("trace_id"), "Prometheus' text format has no exemplars, and is unchanged");
    }

    @Test
    void aJobsRunIsATraceOfItsOwnLinkedToItsSubmission() throws Exception {
        gateway("", tracing("1.0"), "");
        primary.enqueue(new MockResponse.Builder().body("{\"answer\":1}").build());
        HttpResponse<String> accepted = TestGateway.send(chat("{\"model\":\"m\"}").header("Prefer", "respond-async")
                .header("traceparent", "00-" + CLIENT_TRACE + "-" + CLIENT_SPAN + "-01").build());
        assertEquals(202, accepted.statusCode());
        OtlpReceiver.Received submission = collector.await("the submission's span", 1, EXPORTED,
                s -> s.traceId().equals(CLIENT_TRACE) && s.kind() == Span.SpanKind.SPAN_KIND_SERVER).get(0);
        OtlpReceiver.Received run = collector.await("the run's span", 1, EXPORTED,
                s -> !s.traceId().equals(CLIENT_TRACE) && s.kind() == Span.SpanKind.SPAN_KIND_SERVER).get(0);
        assertEquals(1, run.span().getLinksCount(), "the run links to its submission");
        Span.Link link = run.span().getLinks(0);
        assertEquals(CLIENT_TRACE, HexFormat.of().formatHex(link.getTraceId().toByteArray()));
        assertEquals(submission.spanId(), HexFormat.of().formatHex(link.getSpanId().toByteArray()));
        assertTrue(run.parentSpanId().isEmpty(), "the run starts a trace of its own");
        assertEquals(run.traceId(), traceparent(primary.takeRequest(5, TimeUnit.SECONDS))[0],
                "the endpoint joins the run's trace");
    }
}
