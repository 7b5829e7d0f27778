package io.infergate.server.http;

import io.infergate.server.testing.ScriptedUpstream;
import io.infergate.server.testing.StreamingClient;
import io.infergate.server.testing.TestGateway;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Event streams through the gateway: untouched, kept alive, honestly ended, cancelled with the client. */
class StreamingIT {

    private static final String HEARTBEAT = ": keep-alive\n\n";
    private static final String TGI_BODY = "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":3}}";
    private static final String CHAT_BODY = "{\"model\":\"tgi\",\"stream\":true,\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]}";

    @AutoClose
    private final ScriptedUpstream upstream = new ScriptedUpstream();
    @AutoClose
    private TestGateway gateway;
    @AutoClose
    private StreamingClient client;

    StreamingIT() throws Exception {
    }

    private void gateway(String routeYaml) {
        gateway = TestGateway.oneRoute(upstream.url(), routeYaml);
    }

    private ScriptedUpstream.Exchange streamFrom(String path, String body) throws Exception {
        client = StreamingClient.send(gateway.port(), StreamingClient.post(path, body));
        return upstream.awaitExchange().respondStreaming(200, "text/event-stream");
    }

    private static String withoutHeartbeats(String body) {
        return body.replace(HEARTBEAT, "");
    }

    @Test
    void eventsPassByteForByteWithStreamHeaders() throws Exception {
        gateway("");
        ScriptedUpstream.Exchange stream = streamFrom("/generate_stream", TGI_BODY);
        String expected = "data: {\"index\":1,\"token\":{\"text\":\" Deep\"},\"generated_text\":null}\n\n"
                + "data: {\"index\":2,\"token\":{\"text\":\" learning\"},\"generated_text\":\" Deep learning\"}\n\n";
        stream.chunk(expected.substring(0, 10)).chunk(expected.substring(10, 77)).chunk(expected.substring(77)).end();

        assertEquals(expected, client.awaitHead().awaitEnd());
        assertEquals(200, client.status());
        assertEquals("text/event-stream", client.header("content-type"));
        assertEquals("no-cache", client.header("cache-control"));
        assertEquals("no", client.header("x-accel-buffering"));
        assertEquals("chunked", client.header("transfer-encoding"));
        assertNull(client.header("content-length"));
    }

    @Test
    void eachEventIsRelayedAsItArrives() throws Exception {
        gateway("");
        ScriptedUpstream.Exchange stream = streamFrom("/generate_stream", TGI_BODY);
        stream.chunk("data: {\"index\":1}\n\n");
        client.awaitHead().awaitBody("the first event before the second is sent", b -> b.equals("data: {\"index\":1}\n\n"));
        stream.chunk("data: {\"index\":2,\"generated_text\":\"x\"}\n\n").end();
        client.awaitEnd();
    }

    @Test
    void silenceIsFilledWithHeartbeatsBetweenEvents() throws Exception {
        gateway("heartbeat: { interval: 150ms }");
        ScriptedUpstream.Exchange stream = streamFrom("/generate_stream", TGI_BODY);
        stream.chunk("data: {\"index\":1}\n\n");
        client.awaitHead().awaitBody("two heartbeats", b -> b.split(HEARTBEAT, -1).length >= 3);
        stream.chunk("data: {\"index\":2,\"generated_text\":\"x\"}\n\n").end();

        String body = client.awaitEnd();
        assertTrue(body.startsWith("data: {\"index\":1}\n\n" + HEARTBEAT), body);
        assertEquals("data: {\"index\":1}\n\ndata: {\"index\":2,\"generated_text\":\"x\"}\n\n", withoutHeartbeats(body));
        int heartbeats = body.split(HEARTBEAT, -1).length - 1;
        String metrics = gateway.admin("/metrics").body();
        assertTrue(metrics.contains("gateway_heartbeats_total{route=\"main\"} " + heartbeats + ".0"), metrics);
    }

    @Test
    void noHeartbeatGoesInsideAnEventTheUpstreamLeftHalfWritten() throws Exception {
        gateway("heartbeat: { interval: 100ms }");
        ScriptedUpstream.Exchange stream = streamFrom("/generate_stream", TGI_BODY);
        stream.chunk("data: {\"index\":1}\n\n");
        client.awaitHead().awaitBody("a heartbeat after the first event", b -> b.contains(HEARTBEAT));
        // A second stream on the same route, quiet between two events: its heartbeats mark the intervals passing.
        try (StreamingClient witness = StreamingClient.send(gateway.port(), StreamingClient.post("/generate_stream", TGI_BODY))) {
            upstream.awaitExchange().respondStreaming(200, "text/event-stream").chunk("data: {\"index\":1}\n\n");
            witness.awaitHead().awaitBody("the other stream's first event", b -> b.startsWith("data: {\"index\":1}"));
            stream.chunk("data: {\"ind");
            client.awaitBody("the half event", b -> b.endsWith("data: {\"ind"));
            // Several intervals pass mid-event (five heartbeats on the other stream, at least an interval apart):
            // the next bytes the client sees must be the event's rest.
            int before = heartbeats(witness.body());
            witness.awaitBody("five more heartbeats on the other stream", b -> heartbeats(b) >= before + 5);
            assertTrue(client.body().endsWith("data: {\"ind"), "a heartbeat went inside the event: " + client.body());
        }
        stream.chunk("ex\":2,\"generated_text\":\"x\"}\n\n").end();
        assertTrue(client.awaitEnd().endsWith("data: {\"index\":2,\"generated_text\":\"x\"}\n\n"));
    }

    private static int heartbeats(String body) {
        return body.split(HEARTBEAT, -1).length - 1;
    }

    @Test
    void earlyHeadersAndHeartbeatsArriveBeforeTheUpstreamAnswers() throws Exception {
        gateway("heartbeat: { interval: 100ms, earlyHeaders: true }");
        client = StreamingClient.send(gateway.port(), StreamingClient.post("/v1/chat/completions", CHAT_BODY));
        ScriptedUpstream.Exchange exchange = upstream.awaitExchange();
        client.awaitHead().awaitBody("a heartbeat while the upstream is silent", b -> b.contains(HEARTBEAT));
        assertEquals(200, client.status());
        assertEquals("text/event-stream", client.header("content-type"));

        exchange.respondStreaming(200, "text/event-stream").chunk("data: {\"choices\":[]}\n\ndata: [DONE]\n\n").end();
        assertEquals("data: {\"choices\":[]}\n\ndata: [DONE]\n\n", withoutHeartbeats(client.awaitEnd()));
    }

    @Test
    void upstreamErrorAfterEarlyHeadersBecomesAnErrorEvent() throws Exception {
        gateway("heartbeat: { interval: 1s, earlyHeaders: true }\nretry: { attempts: 1 }");
        client = StreamingClient.send(gateway.port(), StreamingClient.post("/generate_stream", TGI_BODY));
        String error = "{\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}";
        upstream.awaitExchange().write("HTTP/1.1 429 Too Many Requests\r\nContent-Type: application/json\r\nContent-Length: "
                + error.length() + "\r\n\r\n" + error);
        assertEquals("data: {\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}\n\n",
                withoutHeartbeats(client.awaitHead().awaitEnd()));
        assertEquals(200, client.status());
    }

    @Test
    void stallLongerThanStreamIdleEndsWithAnErrorEventInTgiForm() throws Exception {
        gateway("timeouts: { streamIdle: 300ms }\nheartbeat: { interval: 100ms }");
        streamFrom("/generate_stream", TGI_BODY).chunk("data: {\"index\":1}\n\n");
        String body = withoutHeartbeats(client.awaitHead().awaitEnd());
        assertEquals("data: {\"index\":1}\n\ndata: {\"error\":\"the upstream went silent mid-response\","
                + "\"error_type\":\"stream_idle_timeout\"}\n\n", body);
    }

    @Test
    void stallLongerThanStreamIdleEndsWithAnErrorEventInOpenAiForm() throws Exception {
        gateway("timeouts: { streamIdle: 300ms }");
        streamFrom("/v1/chat/completions", CHAT_BODY).chunk("data: {\"choices\":[]}\n\n");
        assertEquals("data: {\"choices\":[]}\n\ndata: {\"error\":{\"message\":\"the upstream went silent mid-response\","
                + "\"type\":\"stream_idle_timeout\",\"code\":504}}\n\ndata: [DONE]\n\n", client.awaitHead().awaitEnd());
    }

    @Test
    void resetMidEventClosesTheEventThenEndsWithAnErrorEvent() throws Exception {
        gateway("");
        ScriptedUpstream.Exchange stream = streamFrom("/generate_stream", TGI_BODY);
        stream.chunk("data: {\"index\":1}\n\ndata: {\"ind");
        client.awaitHead().awaitBody("the half event", b -> b.endsWith("{\"ind"));
        stream.reset();
        assertEquals("data: {\"index\":1}\n\ndata: {\"ind\n\ndata: {\"error\":\"the upstream closed the connection before "
                + "the response completed\",\"error_type\":\"upstream_reset\"}\n\n", client.awaitEnd());
    }

    @Test
    void clientThatHangsUpCancelsTheUpstreamRequestAtOnce() throws Exception {
        gateway("");
        ScriptedUpstream.Exchange stream = streamFrom("/generate_stream", TGI_BODY);
        stream.chunk("data: {\"index\":1}\n\n");
        client.awaitHead().awaitBody("the first event", b -> b.contains("index"));
        long hungUp = System.nanoTime();
        client.close();
        long upstreamClosed = stream.awaitClosedByPeer();
        long millis = Duration.ofNanos(upstreamClosed - hungUp).toMillis();
        assertTrue(millis < 100, "the upstream connection closed " + millis + " ms after the client left");
        String metrics = gateway.admin("/metrics").body();
        assertTrue(metrics.contains("gateway_stream_cancelled_total{route=\"main\"} 1.0"), metrics);
    }

    @Test
    void streamEndedWithoutItsFinalEventPassesAsIsAndIsCountedTruncated() throws Exception {
        gateway("");
        streamFrom("/v1/chat/completions", CHAT_BODY).chunk("data: {\"choices\":[]}\n\n").end();
        assertEquals("data: {\"choices\":[]}\n\n", client.awaitHead().awaitEnd());
        assertTrue(gateway.admin("/metrics").body().contains("gateway_stream_truncated_total{route=\"main\"} 1.0"));
    }

    @Test
    void tenThousandEventsPassIntact() throws Exception {
        gateway("");
        ScriptedUpstream.Exchange stream = streamFrom("/v1/completions", "{\"prompt\":\"x\",\"stream\":true}");
        StringBuilder expected = new StringBuilder();
        StringBuilder batch = new StringBuilder();
        for (int i = 0; i < 10_000; i++) {
            String event = "data: {\"choices\":[{\"index\":0,\"text\":\"t" + i + "\"}]}\n\n";
            expected.append(event);
            batch.append(event);
            if (i % 97 == 0) {
                stream.chunk(batch.toString());
                batch.setLength(0);
            }
        }
        expected.append("data: [DONE]\n\n");
        stream.chunk(batch + "data: [DONE]\n\n").end();
        assertEquals(expected.toString(), client.awaitHead().awaitEnd());
        assertFalse(gateway.admin("/metrics").body().contains("gateway_stream_truncated_total{route=\"main\"} 1.0"));
    }

    @Test
    void connectFailureAfterEarlyHeadersEndsTheStreamWithAnErrorEvent() throws Exception {
        int closedPort;
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            closedPort = socket.getLocalPort();
        }
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + closedPort, "heartbeat: { earlyHeaders: true }");
        client = StreamingClient.send(gateway.port(), StreamingClient.post("/v1/chat/completions", CHAT_BODY));
        assertEquals("data: {\"error\":{\"message\":\"could not connect to the upstream\",\"type\":\"connect_failed\","
                + "\"code\":502}}\n\ndata: [DONE]\n\n", client.awaitHead().awaitEnd());
        assertEquals(200, client.status());
    }

    @Test
    void firstByteTimeoutAfterEarlyHeadersEndsTheStreamWithAnErrorEvent() throws Exception {
        gateway("heartbeat: { interval: 100ms, earlyHeaders: true }\ntimeouts: { firstByte: 400ms }");
        client = StreamingClient.send(gateway.port(), StreamingClient.post("/generate_stream", TGI_BODY));
        upstream.awaitExchange(); // accepted, never answered
        String body = client.awaitHead().awaitEnd();
        assertTrue(body.startsWith(HEARTBEAT), "heartbeats while waiting: " + body);
        assertEquals("data: {\"error\":\"the upstream sent no response head in time\",\"error_type\":\"first_byte_timeout\"}\n\n",
                withoutHeartbeats(body));
    }

    @Test
    void aPlainRequestOnAnEarlyHeadersRouteIsNotTurnedIntoAStream() throws Exception {
        gateway("heartbeat: { earlyHeaders: true }");
        client = StreamingClient.send(gateway.port(), StreamingClient.post("/generate", TGI_BODY));
        upstream.awaitExchange().respondStreaming(200, "application/json").chunk("{\"generated_text\":\"x\"}").end();
        assertEquals("{\"generated_text\":\"x\"}", client.awaitHead().awaitEnd());
        assertEquals("application/json", client.header("content-type"));
    }

    @Test
    void deadlineMidStreamEndsWithAnErrorEvent() throws Exception {
        gateway("timeouts: { total: 500ms, streamIdle: 10s }");
        streamFrom("/v1/completions", "{\"prompt\":\"x\",\"stream\":true}").chunk("data: {\"choices\":[]}\n\n");
        assertEquals("data: {\"choices\":[]}\n\ndata: {\"error\":{\"message\":\"the request's total deadline ran out\","
                + "\"type\":\"deadline_exceeded\",\"code\":504}}\n\ndata: [DONE]\n\n", client.awaitHead().awaitEnd());
    }
}
