package io.infergate.server.tracing;

import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.OtlpReceiver;
import io.infergate.server.testing.ScriptedUpstream;
import io.infergate.server.testing.StreamingClient;
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

import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.stream.Collectors;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Streams, sampling, a collector that is down, and tracing off: what each costs and shows. */
class TracingStreamsAndSamplingIT {

    private static final String CHAT_BODY = "{\"model\":\"tiny\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";
    private static final String HEARTBEAT = ": keep-alive\n\n";

    @AutoClose
    private final OtlpReceiver collector = new OtlpReceiver();
    @AutoClose
    private final ScriptedUpstream scripted = new ScriptedUpstream();
    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    @AutoClose
    private TestGateway gateway;

    TracingStreamsAndSamplingIT() throws Exception {}

    private String tracing(String ratio) {
        return "tracing: { otlpEndpoint: \"" + collector.url() + "\", sampleRatio: " + ratio + ", scheduleDelay: 50ms }\n";
    }

    @Test
    void aStreamsSpanHasItsFirstTokenAndHeartbeatsAndEndsWhenTheStreamEnds() throws Exception {
        gateway = TestGateway.oneRoute(tracing("1.0"), scripted.url(), "heartbeat: { interval: 100ms }", Map.of());
        long lastEventSentNanos;
        String body;
        try (StreamingClient client = StreamingClient.send(gateway.port(), StreamingClient.post("/v1/chat/completions", CHAT_BODY))) {
            ScriptedUpstream.Exchange stream = scripted.awaitExchange().respondStreaming(200, "text/event-stream");
            stream.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"Hel\"}}]}\n\n");
            client.awaitHead().awaitBody("the first token", text -> text.contains("Hel"));
            client.awaitBody("two heartbeats", text -> text.split(HEARTBEAT, -1).length > 2);
            lastEventSentNanos = System.currentTimeMillis() * 1_000_000L;
            stream.chunk("data: {\"choices\":[{\"delta\":{\"content\":\"lo\"}}],\"usage\":{\"prompt_tokens\":3,\"completion_tokens\":2}}\n\n")
                    .chunk("data: [DONE]\n\n").end();
            body = client.awaitEnd();
        }
        int heartbeatsSeen = body.split(HEARTBEAT, -1).length - 1;

        OtlpReceiver.Received server = collector.await("the stream's server span", 1, Duration.ofSeconds(10),
                s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER).get(0);
        assertEquals("chat tiny", server.name());
        Span.Event ttft = server.events("gen_ai.first_token").get(0);
        double ttftSeconds = Double.parseDouble(server.eventAttribute(ttft, "gen_ai.server.time_to_first_token"));
        assertTrue(ttftSeconds > 0 && ttftSeconds < 10, "TTFT " + ttftSeconds);
        assertTrue(ttft.getTimeUnixNano() < server.span().getEndTimeUnixNano());
        assertTrue(server.span().getEndTimeUnixNano() >= lastEventSentNanos - 5_000_000L,
                "the span ends with the stream, not with its head: " + (lastEventSentNanos - server.span().getEndTimeUnixNano()));
        assertEquals(1, server.events("gateway.stream.end").size());
        assertEquals(heartbeatsSeen, Long.parseLong(server.attribute("gateway.heartbeats")),
                "heartbeats are counted, not one event each");
        assertTrue(heartbeatsSeen >= 2);
        assertTrue(server.events("gateway.heartbeat").isEmpty());
        assertEquals("2", server.attribute("gen_ai.usage.output_tokens"), "the stream's own usage counts the output");
    }

    @Test
    void samplingAtOneTenthKeepsAboutOneRequestInTenEachAWholeTraceOfItsOwn() throws Exception {
        Set<String> sentTraces = ConcurrentHashMap.newKeySet();
        Set<String> sampledTraces = ConcurrentHashMap.newKeySet();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                Matcher m = TracingIT.TRACEPARENT.matcher(String.valueOf(request.getHeaders().get("traceparent")));
                if (m.matches()) {
                    sentTraces.add(m.group(1));
                    if ((Integer.parseInt(m.group(3), 16) & 1) == 1) {
                        sampledTraces.add(m.group(1));
                    }
                }
                return new MockResponse.Builder().body("{}").build();
            }
        });
        gateway = TestGateway.oneRoute(tracing("0.1"), "http://127.0.0.1:" + upstream.getPort(), "", Map.of());
        int requests = 1000;
        ExecutorService clients = Executors.newFixedThreadPool(8);
        try {
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                responses.add(clients.submit(() -> TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                        .timeout(Duration.ofSeconds(10)).POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\"}")).build())));
            }
            for (Future<HttpResponse<String>> response : responses) {
                assertEquals(200, response.get(60, TimeUnit.SECONDS).statusCode());
                assertTrue(response.get().headers().firstValue("traceparent").isEmpty(),
                        "only a client that sent one is answered one");
            }
        } finally {
            clients.shutdownNow();
        }
        assertEquals(requests, sentTraces.size(), "a client without context gets a new trace each time");
        // Binomial(1000, 0.1): mean 100, standard deviation 9.5; 60..140 is beyond four of them either way.
        int sampled = sampledTraces.size();
        assertTrue(sampled >= 60 && sampled <= 140, "sampled " + sampled + " of " + requests);
        collector.await("server spans of the sampled requests", sampled, Duration.ofSeconds(20),
                s -> s.kind() == Span.SpanKind.SPAN_KIND_SERVER);
        collector.await("attempt spans of the sampled requests", sampled, Duration.ofSeconds(20),
                s -> s.kind() == Span.SpanKind.SPAN_KIND_CLIENT);
        Set<String> exported = collector.spans().stream().map(OtlpReceiver.Received::traceId).collect(Collectors.toSet());
        assertEquals(sampledTraces, exported, "exactly the sampled requests' traces reach the collector");
        assertEquals(2 * sampled, collector.spans().size(), "one server and one attempt span each, nothing else");
        Await.untilHolds("the exports counted", Duration.ofSeconds(5),
                () -> gateway.metrics().value(MeterNames.TRACE_SPANS_EXPORTED, Map.of()) == 2 * sampled);
    }

    @Test
    void aCollectorThatIsDownLeavesRequestsAloneAndItsLostSpansAreCounted() throws Exception {
        int closedPort;
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                return new MockResponse.Builder().body("{}").build();
            }
        });
        gateway = TestGateway.oneRoute("tracing: { otlpEndpoint: \"http://127.0.0.1:" + closedPort
                + "\", scheduleDelay: 50ms, exportTimeout: 2s }\n", "http://127.0.0.1:" + upstream.getPort(), "", Map.of());
        int requests = 50;
        for (int i = 0; i < requests; i++) {
            HttpResponse<String> response = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                    .timeout(Duration.ofSeconds(5)).POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\"}")).build());
            assertEquals(200, response.statusCode(), "request " + i);
        }
        Await.untilHolds("every span counted as lost", Duration.ofSeconds(20), () -> lost() == 2 * requests);
        assertEquals(0, gateway.metrics().value(MeterNames.TRACE_SPANS_EXPORTED, Map.of()));
        assertEquals(0, gateway.metrics().value(MeterNames.TRACE_SPANS_DROPPED, Map.of("cause", "queue_full")));
    }

    private double lost() throws Exception {
        return gateway.metrics().value(MeterNames.TRACE_SPANS_DROPPED, Map.of("cause", "export_failed"))
                + gateway.metrics().value(MeterNames.TRACE_SPANS_DROPPED, Map.of("cause", "queue_full"));
    }

    @Test
    void withTracingOffTheClientsContextPassesUntouchedAndNothingIsAdded() throws Exception {
        upstream.enqueue(new MockResponse.Builder().body("{}").build());
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(), "");
        String traceparent = "00-" + TracingIT.CLIENT_TRACE + "-" + TracingIT.CLIENT_SPAN + "-01";
        HttpResponse<String> response = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                .header("traceparent", traceparent).header("tracestate", "a=b")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\"}")).build());
        assertEquals(200, response.statusCode());
        assertTrue(response.headers().firstValue("traceparent").isEmpty());
        RecordedRequest seen = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertEquals(traceparent, seen.getHeaders().get("traceparent"), "passed through as any header is");
        assertEquals("a=b", seen.getHeaders().get("tracestate"));
        assertEquals(0, gateway.metrics().value(MeterNames.TRACE_SPANS_EXPORTED, Map.of()), "the meters are there, at zero");
        assertTrue(collector.spans().isEmpty());
    }
}
