package io.infergate.server.http;

import io.infergate.server.testing.PrometheusText;
import io.infergate.server.testing.RawHttp;
import io.infergate.server.testing.ScriptedUpstream;
import io.infergate.server.testing.StreamingClient;
import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Upstream responses the decoder cannot frame: before the client has anything, a {@code 502
 * upstream_protocol}; after part of a plain body, the body cut short and the connection closed;
 * after part of an event stream, the stream's error event and a proper end.
 */
class UpstreamFramingIT {

    private static final String CHUNKED_HEAD = "HTTP/1.1 200 OK\r\nContent-Type: text/plain\r\nTransfer-Encoding: chunked\r\n\r\n";
    private static final String GET = "GET /x HTTP/1.1\r\nHost: gateway\r\n\r\n";
    private static final String TGI_BODY = "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":3}}";

    @AutoClose
    private final ScriptedUpstream upstream = new ScriptedUpstream();
    @AutoClose
    private TestGateway gateway;
    @AutoClose
    private StreamingClient client;

    UpstreamFramingIT() throws Exception {
    }

    @BeforeEach
    void start() {
        gateway = TestGateway.oneRoute(upstream.url(), "retry: { attempts: 1 }");
    }

    /** The client's response when the upstream answers {@code raw}, in one write, to a plain request. */
    private RawHttp.Response answerTo(String raw) throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send(GET);
            upstream.awaitExchange().write(raw);
            return http.read();
        }
    }

    private static void assertUpstreamProtocolError(RawHttp.Response response) {
        assertEquals(502, response.status(), response.toString());
        assertEquals("upstream_protocol", response.header("x-gateway-error"));
        assertTrue(response.body().contains("\"error_type\":\"upstream_protocol\"") && response.body().contains("\"layer\":\"upstream\""),
                response.body());
    }

    private double requests(String status) throws Exception {
        return new PrometheusText(gateway.admin("/metrics").body()).value("gateway_requests_total",
                Map.of("route", "main", "status", status, "outcome", "upstream_protocol"));
    }

    /** The exchange is counted as it ends, which may be a moment after the client has its answer. */
    private void awaitOneCounted(String status) {
        Await.untilHolds("one " + status + " upstream_protocol counted", Duration.ofSeconds(5),
                () -> requests(status) == 1);
    }

    @Test
    void invalidChunkSizeInTheFirstChunkIsA502() throws Exception {
        assertUpstreamProtocolError(answerTo(CHUNKED_HEAD + "zz\r\nhello\r\n0\r\n\r\n"));
        awaitOneCounted("502");
    }

    @Test
    void chunkSizeThatOverflowsIsA502() throws Exception {
        assertUpstreamProtocolError(answerTo(CHUNKED_HEAD + "fffffffffffffffffff\r\nhello\r\n0\r\n\r\n"));
    }

    @Test
    void firstChunkLongerThanItsSizeIsA502() throws Exception {
        assertUpstreamProtocolError(answerTo(CHUNKED_HEAD + "5\r\nhello, and more than was announced\r\n0\r\n\r\n"));
    }

    @Test
    void brokenSecondChunkArrivingWithTheFirstIsStillA502() throws Exception {
        assertUpstreamProtocolError(answerTo(CHUNKED_HEAD + "5\r\nhello\r\nzz\r\n"));
    }

    @Test
    void malformedStatusLineIsA502() throws Exception {
        assertUpstreamProtocolError(answerTo("HTTP/1.1 two-hundred OK\r\nContent-Length: 2\r\n\r\nok"));
        awaitOneCounted("502");
    }

    @Test
    void malformedHeaderLineIsA502() throws Exception {
        assertUpstreamProtocolError(answerTo("HTTP/1.1 200 OK\r\nBad(Name): x\r\nContent-Length: 2\r\n\r\nok"));
    }

    @Test
    void connectionLostWithinTheHeadIsStillAResetNotAProtocolError() throws Exception {
        try (RawHttp http = new RawHttp(gateway.port())) {
            http.send(GET);
            ScriptedUpstream.Exchange exchange = upstream.awaitExchange().write("HTTP/1.1 200 OK\r\nContent-Le");
            exchange.reset();
            RawHttp.Response response = http.read();
            assertEquals(502, response.status());
            assertEquals("upstream_reset", response.header("x-gateway-error"));
        }
    }

    @Test
    void brokenChunkAfterBodyWasRelayedCutsTheBodyAndClosesTheConnection() throws Exception {
        client = StreamingClient.send(gateway.port(), GET);
        ScriptedUpstream.Exchange exchange = upstream.awaitExchange().write(CHUNKED_HEAD).chunk("hello");
        client.awaitHead().awaitBody("the first chunk", "hello"::equals);
        assertEquals(200, client.status());

        exchange.write("zz\r\n");
        assertTrue(client.wasCut(), "the body must not look whole");
        assertEquals("hello", client.body());
        exchange.awaitClosedByPeer();
        awaitOneCounted("200");
    }

    @Test
    void eventStreamBrokenAfterItsFirstEventEndsWithAnErrorEvent() throws Exception {
        client = StreamingClient.send(gateway.port(), StreamingClient.post("/generate_stream", TGI_BODY));
        ScriptedUpstream.Exchange exchange = upstream.awaitExchange().respondStreaming(200, "text/event-stream")
                .chunk("data: {\"index\":1}\n\n");
        client.awaitHead().awaitBody("the first event", "data: {\"index\":1}\n\n"::equals);

        exchange.write("zz\r\n");
        assertEquals("data: {\"index\":1}\n\n"
                        + "data: {\"error\":\"the upstream's response was malformed\",\"error_type\":\"upstream_protocol\"}\n\n",
                client.awaitEnd());
        assertEquals(200, client.status());
        awaitOneCounted("200");
    }

    @Test
    void openAiStreamBrokenMidEventEndsWithItsOwnErrorEvent() throws Exception {
        client = StreamingClient.send(gateway.port(), StreamingClient.post("/v1/completions", "{\"prompt\":\"x\",\"stream\":true}"));
        ScriptedUpstream.Exchange exchange = upstream.awaitExchange().respondStreaming(200, "text/event-stream")
                .chunk("data: {\"choices\":[]}\n\ndata: {\"cho");
        client.awaitHead().awaitBody("the half event", b -> b.endsWith("{\"cho"));

        exchange.write("fffffffffffffffffff\r\n");
        assertEquals("data: {\"choices\":[]}\n\ndata: {\"cho\n\ndata: {\"error\":{\"message\":\"the upstream's response was "
                + "malformed\",\"type\":\"upstream_protocol\",\"code\":502}}\n\ndata: [DONE]\n\n", client.awaitEnd());
    }
}
