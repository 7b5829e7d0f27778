package io.infergate.server.http;

import io.infergate.server.testing.H2Client;
import io.infergate.server.testing.LogCapture;
import io.infergate.server.testing.RecordingUpstream;
import io.infergate.server.testing.ScriptedUpstream;
import io.infergate.server.testing.TestGateway;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

import static io.infergate.server.http.EventStreams.event;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Cleartext HTTP/2 (h2c) towards clients: by prior knowledge and by upgrade, each stream served as a request of its own. */
class Http2IT {

    @AutoClose
    private final ScriptedUpstream upstream = new ScriptedUpstream();
    @AutoClose
    private final RecordingUpstream recording = new RecordingUpstream();
    @AutoClose
    private TestGateway gateway;
    @AutoClose
    private H2Client client;

    Http2IT() throws Exception {
    }

    private void gateway(String endpoint, String routeYaml) throws Exception {
        gateway = TestGateway.oneRoute(endpoint, routeYaml);
        client = H2Client.priorKnowledge(gateway.port());
    }

    /** A gateway whose bodies may be 16 bytes, in front of the recording upstream. */
    private void gatewayTakingSixteenBytes() throws Exception {
        gateway = TestGateway.start("""
                server: { port: 0, adminPort: 0, maxBodyBytes: 16 }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "%s" ] } ]
                """.formatted(recording.url()));
        client = H2Client.priorKnowledge(gateway.port());
    }

    @Test
    void priorKnowledgeCarriesAHundredConcurrentEventStreamsByteExactWithHeartbeats() throws Exception {
        // A fixed limit above 100: a learned one would start low and queue most of the streams.
        gateway(upstream.url(), "heartbeat: { interval: 100ms }\nadmission: { maxInFlightPerEndpoint: 200 }");
        EventStreams.carry(client, upstream, 100);
    }

    @Test
    void aResetStreamCancelsOnlyItsOwnUpstreamRequest() throws Exception {
        gateway(upstream.url(), "");
        H2Client.Stream[] streams = new H2Client.Stream[3];
        ScriptedUpstream.Exchange[] exchanges = EventStreams.started(client, upstream, streams, 3);

        streams[1].reset();
        exchanges[1].awaitClosedByPeer();

        for (int i : new int[] {0, 2}) {
            exchanges[i].chunk(event(i, 2)).end();
            assertEquals(event(i, 1) + event(i, 2), streams[i].awaitEnd(Duration.ofSeconds(10)), "stream " + i);
        }
        assertTrue(client.isOpen(), "the connection outlives the reset stream");
        Map<String, String> main = Map.of("route", "main");
        assertEquals(1.0, gateway.metrics().value("gateway_stream_cancelled_total", main));
    }

    @Test
    void aSlowReaderOnOneStreamDoesNotDelayTheOthersEvents() throws Exception {
        gateway(upstream.url(), "");
        H2Client.Stream slow = client.send("POST", "/generate_stream?s=0", EventStreams.TGI_BODY, false);
        ScriptedUpstream.Exchange slowUpstream = upstream.awaitExchange().respondStreaming(200, "text/event-stream");
        // Far more than every buffer on the way can hold: the upstream's writes must block.
        String big = "data: " + "x".repeat(16 * 1024 - 8) + "\n\n";
        int bigEvents = 1536; // 24 MiB
        CompletableFuture<Void> slowWriter = CompletableFuture.runAsync(() -> {
            try {
                for (int i = 0; i < bigEvents; i++) {
                    slowUpstream.chunk(big);
                }
                slowUpstream.end();
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        });

        H2Client.Stream[] fast = new H2Client.Stream[3];
        ScriptedUpstream.Exchange[] fastUpstreams = new ScriptedUpstream.Exchange[3];
        for (int i = 0; i < 3; i++) {
            fast[i] = client.send("POST", "/generate_stream?s=" + (i + 1), EventStreams.TGI_BODY, true);
            fastUpstreams[i] = upstream.awaitExchange().respondStreaming(200, "text/event-stream");
        }
        StringBuilder[] sent = {new StringBuilder(), new StringBuilder(), new StringBuilder()};
        for (int round = 1; round <= 5; round++) {
            for (int i = 0; i < 3; i++) {
                String event = event(i + 1, round);
                sent[i].append(event);
                fastUpstreams[i].chunk(event);
                String expected = sent[i].toString();
                fast[i].awaitBody("fast stream " + i + ", event " + round + ", while another stream is not read",
                        Duration.ofSeconds(5), b -> b.equals(expected));
            }
        }
        assertFalse(slowWriter.isDone(), "the gateway stopped reading the slow stream's upstream");

        for (int i = 0; i < 3; i++) {
            fastUpstreams[i].end();
            assertEquals(sent[i].toString(), fast[i].awaitEnd(Duration.ofSeconds(10)));
        }
        slow.startReading();
        slowWriter.get(60, java.util.concurrent.TimeUnit.SECONDS);
        String body = slow.awaitEnd(Duration.ofSeconds(60));
        assertEquals(bigEvents * big.length(), body.length(), "the slow stream got every byte");
        assertEquals(big.repeat(bigEvents), body);
    }

    @Test
    void theUpgradeFromHttp11ServesTheRequestAsStreamOneAndTheUpstreamSeesHttp11() throws Exception {
        gateway(recording.url(), "");
        HttpClient h2c = HttpClient.newBuilder().version(HttpClient.Version.HTTP_2).connectTimeout(Duration.ofSeconds(5)).build();
        HttpResponse<String> upgraded = h2c.send(HttpRequest.newBuilder(gateway.uri("/upgraded?x=1")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, upgraded.version());
        assertEquals(200, upgraded.statusCode());
        assertTrue(upgraded.body().startsWith("GET /upgraded?x=1"), upgraded.body());
        HttpResponse<String> next = h2c.send(HttpRequest.newBuilder(gateway.uri("/next")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertEquals(HttpClient.Version.HTTP_2, next.version(), "the connection stays HTTP/2");

        RecordingUpstream.Recorded first = recording.requests().get(0);
        assertEquals("GET /upgraded?x=1 HTTP/1.1", first.requestLine());
        assertNull(first.header("upgrade"));
        assertNull(first.header("http2-settings"));
        assertEquals(gateway.uri("/").getAuthority(), first.header("x-forwarded-host"), ":authority is the client's Host");
        assertFalse(first.head().toLowerCase().contains("x-http2-"), first.head());

        HttpResponse<String> http11 = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/plain"))
                .version(HttpClient.Version.HTTP_1_1).build());
        assertEquals(HttpClient.Version.HTTP_1_1, http11.version(), "HTTP/1.1 is served as before");
    }

    @Test
    void theRequestGuardStillRefusesWhatAStreamCarriesAndTheConnectionServesTheNextStream() throws Exception {
        gatewayTakingSixteenBytes();
        H2Client.Stream tooLarge = client.send("POST", "/generate", "{\"inputs\":\"far more than sixteen bytes\"}", true);
        tooLarge.awaitEnd(Duration.ofSeconds(10));
        assertEquals(413, tooLarge.status());
        assertEquals("payload_too_large", tooLarge.awaitHead().get("x-gateway-error").toString());
        assertTrue(tooLarge.awaitHead().contains("server-timing"));

        H2Client.Stream next = client.send("GET", "/after", null, true);
        assertTrue(next.awaitEnd(Duration.ofSeconds(10)).startsWith("GET /after"));
        assertEquals(1, recording.requests().size(), "only the request within the limit reached the upstream");
    }

    /**
     * An answer sent before the request's end (RFC 9113 §8.1): the gateway reads and drops the rest
     * of the body, so a client still uploading finishes and keeps its answer (curl 7.x fails the
     * transfer of a stream reset under its upload); a client that never ends is asked to stop with
     * RST_STREAM NO_ERROR, never CANCEL, which would tell it its complete answer failed.
     */
    @Test
    void anAnswerBeforeTheRequestEndsLetsTheUploadFinishOrResetsWithNoError() throws Exception {
        gatewayTakingSixteenBytes();
        H2Client.Stream finishing = client.sendUnended("POST", "/generate", "{\"inputs\":\"far more than sixteen bytes");
        finishing.awaitEnd(Duration.ofSeconds(10));
        assertEquals(413, finishing.status());
        finishing.endBody("\"}");
        assertEquals(-1L, finishing.awaitClosed(Duration.ofSeconds(10)), "the stream ends with both sides done, no reset");

        H2Client.Stream stalled = client.sendUnended("POST", "/generate", "{\"inputs\":\"far more than sixteen bytes");
        stalled.awaitEnd(Duration.ofSeconds(10));
        assertEquals(413, stalled.status());
        assertEquals(0L, stalled.awaitClosed(Duration.ofSeconds(10)), "RST_STREAM NO_ERROR once the linger is over");

        H2Client.Stream next = client.send("GET", "/after", null, true);
        assertTrue(next.awaitEnd(Duration.ofSeconds(10)).startsWith("GET /after"));
        assertEquals(1, recording.requests().size(), "only the last request reached the upstream");
    }

    @Test
    void aDrainSendsGoAwayAfterAStreamEndsAndCutsStreamsStillOpenWithTheirShutdownEvent() throws Exception {
        gateway(upstream.url(), "");
        H2Client.Stream[] streams = new H2Client.Stream[2];
        ScriptedUpstream.Exchange[] exchanges = EventStreams.started(client, upstream, streams, 2);
        CompletableFuture<Boolean> drained;
        try (LogCapture logs = LogCapture.open()) {
            drained = CompletableFuture.supplyAsync(() -> {
                try {
                    return gateway.server().drain(Duration.ofSeconds(2));
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            // Stream 0 ends during the drain, not before it.
            io.infergate.testing.Await.until("the drain began", Duration.ofSeconds(10),
                    () -> logs.all().stream().anyMatch(line -> line.text().startsWith("draining: 2 requests")));
        }
        exchanges[0].chunk(event(0, 2)).end();
        assertEquals(event(0, 1) + event(0, 2), streams[0].awaitEnd(Duration.ofSeconds(10)));
        assertEquals(0L, client.awaitGoAway(Duration.ofSeconds(10)), "GOAWAY NO_ERROR once a stream ended");

        assertFalse(drained.get(10, java.util.concurrent.TimeUnit.SECONDS), "one stream was still open at the timeout");
        assertEquals(event(1, 1) + "data: {\"error\":\"the gateway is shutting down\",\"error_type\":\"shutdown\"}\n\n",
                streams[1].awaitEnd(Duration.ofSeconds(10)));
    }

    @Test
    void aDrainWhoseStreamsAllRunPastItsTimeoutStillSaysGoAwayBeforeTheConnectionCloses() throws Exception {
        gateway(upstream.url(), "");
        H2Client.Stream[] streams = new H2Client.Stream[2];
        EventStreams.started(client, upstream, streams, 2);

        // Both streams end in the same loop turn, and the GOAWAY is written right behind them.
        assertFalse(gateway.server().drain(Duration.ofMillis(300)), "the streams were still open at the timeout");
        for (int i = 0; i < 2; i++) {
            assertEquals(event(i, 1) + "data: {\"error\":\"the gateway is shutting down\",\"error_type\":\"shutdown\"}\n\n",
                    streams[i].awaitEnd(Duration.ofSeconds(10)));
        }
        assertEquals(0L, client.awaitGoAway(Duration.ofSeconds(10)), "GOAWAY NO_ERROR before the close");
    }

    @Test
    void aDrainTimeoutCancelsARequestStillWaitingForItsAnswerThenSaysGoAway() throws Exception {
        gateway(upstream.url(), "");
        H2Client.Stream waiting = client.send("POST", "/generate", EventStreams.TGI_BODY, true);
        ScriptedUpstream.Exchange unanswered = upstream.awaitExchange();

        assertFalse(gateway.server().drain(Duration.ofMillis(300)), "the request was still in flight at the timeout");
        assertEquals(8L, waiting.awaitClosed(Duration.ofSeconds(10)), "RST_STREAM CANCEL: no answer can come");
        assertEquals(0L, client.awaitGoAway(Duration.ofSeconds(10)), "GOAWAY NO_ERROR before the close");
        unanswered.awaitClosedByPeer();
    }

    @Test
    void anIdleConnectionEndsWithGoAwayAfterTheIdleTimeout() throws Exception {
        gateway = TestGateway.start("""
                server: { port: 0, adminPort: 0, idleTimeout: 300ms }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "%s" ] } ]
                """.formatted(recording.url()));
        client = H2Client.priorKnowledge(gateway.port());
        H2Client.Stream stream = client.send("GET", "/once", null, true);
        assertTrue(stream.awaitEnd(Duration.ofSeconds(10)).startsWith("GET /once"));
        assertEquals(0L, client.awaitGoAway(Duration.ofSeconds(10)));
        io.infergate.testing.Await.until("the idle connection closed", Duration.ofSeconds(10), () -> !client.isOpen());
    }
}
