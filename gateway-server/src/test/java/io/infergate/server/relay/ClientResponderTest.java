package io.infergate.server.relay;

import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.error.GatewayError;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.tracing.ExchangeTrace;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the client is told, on an {@link EmbeddedChannel}: the gateway's own error answers, a relayed
 * head held back until it is safe to send, a response cut short once it has begun, an event stream
 * begun early, and a slow client that gets every byte in order.
 */
class ClientResponderTest {

    private static final String ROUTE = """
            routes:
              - name: chat
                match: { pathPrefix: / }
                heartbeat: { interval: 1s, earlyHeaders: true }
                upstreams:
                  - name: model
                    endpoints: [ "http://127.0.0.1:9" ]
            """;

    private final MockTicker clock = Ticker.newMockTicker();
    private final WritesSeen writes = new WritesSeen();
    private final EmbeddedChannel channel = EmbeddedChannel.builder()
            .ticker(clock).handlers(writes, new ChannelInboundHandlerAdapter()).build();
    /** The responder writes from the last handler's place, past the one that notes each write. */
    private final ChannelHandlerContext client = channel.pipeline().lastContext();
    private final CountingMetrics metrics = new CountingMetrics();
    private final Route route = route();
    private boolean draining;

    private Route route() {
        try {
            return RouteTable.compile(ConfigLoader.load(ROUTE, Map.of()), clock::nanoTime, transition -> { })
                    .match("/");
        } catch (ConfigException e) {
            throw new IllegalArgumentException(String.join("\n", e.problems()), e);
        }
    }

    private ClientResponder responder(HttpRequest request) {
        ExchangeRecord record = new ExchangeRecord(0, clock.nanoTime(), "request-1", request.method().name(),
                request.uri(), route.name());
        return new ClientResponder(client, clock::nanoTime, metrics, () -> draining, route, record, request, "request-1",
                StreamProtocol.forPath(request.uri()), ExchangeTrace.OFF);
    }

    private static HttpRequest post(String uri, String... headers) {
        HttpRequest request = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, uri);
        for (int i = 0; i < headers.length; i += 2) {
            request.headers().add(headers[i], headers[i + 1]);
        }
        return request;
    }

    private static HttpResponse upstreamHead(String contentType) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, contentType);
        return head;
    }

    private static HttpContent content(String text) {
        return new DefaultHttpContent(Unpooled.copiedBuffer(text, StandardCharsets.UTF_8));
    }

    /** The next message the client received, of the type expected. */
    private <T> T next(Class<T> type) {
        Object message = channel.readOutbound();
        assertNotNull(message, "nothing more was written");
        return assertInstanceOf(type, message);
    }

    private static String text(HttpContent content) {
        try {
            return content.content().toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }

    @Test
    void aGatewayErrorAnswerNamesItsCauseAndLayerAndKeepsTheConnection() {
        ClientResponder responder = responder(post("/generate"));
        assertTrue(responder.fail(GatewayError.CONNECT_FAILED, GatewayError.CONNECT_FAILED.defaultMessage(), true));

        FullHttpResponse answer = next(FullHttpResponse.class);
        try {
            assertEquals(502, answer.status().code());
            assertEquals("connect_failed", answer.headers().get("X-Gateway-Error"));
            assertEquals("request-1", answer.headers().get("X-Request-Id"));
            assertEquals("application/json", answer.headers().get(HttpHeaderNames.CONTENT_TYPE));
            assertEquals("{\"error\":\"could not connect to the upstream\",\"error_type\":\"connect_failed\","
                    + "\"layer\":\"upstream\"}", answer.content().toString(StandardCharsets.UTF_8));
            assertEquals(String.valueOf(answer.content().readableBytes()), answer.headers().get(HttpHeaderNames.CONTENT_LENGTH));
            assertTrue(answer.headers().contains("Server-Timing"));
            assertNull(answer.headers().get(HttpHeaderNames.CONNECTION));
            assertNull(answer.headers().get(HttpHeaderNames.RETRY_AFTER), "no Retry-After unless one was set");
        } finally {
            answer.release();
        }
        assertEquals(502, responder.status());
        assertTrue(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void onAnOpenAiRouteTheAnswerIsAnOpenAiErrorObject() {
        ClientResponder responder = responder(post("/v1/chat/completions"));
        responder.fail(GatewayError.QUEUE_FULL, "the route's queue is \"full\"", true);

        FullHttpResponse answer = next(FullHttpResponse.class);
        try {
            assertEquals("queue_full", answer.headers().get("X-Gateway-Error"));
            assertEquals("{\"error\":{\"message\":\"the route's queue is \\\"full\\\"\",\"type\":\"queue_full\",\"code\":429,"
                    + "\"layer\":\"gateway\"}}", answer.content().toString(StandardCharsets.UTF_8));
        } finally {
            answer.release();
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anAnswerNotKeptSaysConnectionCloseAndTheConnectionCloses() {
        ClientResponder responder = responder(post("/generate", "Connection", "close"));
        assertFalse(responder.fail(GatewayError.UNAUTHORIZED, "unknown API key", true));

        FullHttpResponse answer = next(FullHttpResponse.class);
        try {
            assertEquals(401, answer.status().code());
            assertEquals("close", answer.headers().get(HttpHeaderNames.CONNECTION));
            assertTrue(answer.content().toString(StandardCharsets.UTF_8).contains("\"layer\":\"client\""));
        } finally {
            answer.release();
        }
        assertFalse(channel.isOpen());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anAnswerToARequestNotReadWholeOrWhileDrainingIsNotKept() {
        assertFalse(responder(post("/generate")).fail(GatewayError.PAYLOAD_TOO_LARGE, "too large", false));
        FullHttpResponse refused = next(FullHttpResponse.class);
        assertEquals("close", refused.headers().get(HttpHeaderNames.CONNECTION), "the body's rest cannot be trusted");
        refused.release();
        assertFalse(channel.finishAndReleaseAll());

        EmbeddedChannel other = new EmbeddedChannel(new ChannelInboundHandlerAdapter());
        draining = true;
        ClientResponder whileDraining = new ClientResponder(other.pipeline().firstContext(), clock::nanoTime, metrics,
                () -> draining, route, new ExchangeRecord(0, 0, "request-2", "POST", "/generate", "chat"),
                post("/generate"), "request-2", StreamProtocol.TGI, ExchangeTrace.OFF);
        assertFalse(whileDraining.fail(GatewayError.SHUTDOWN, GatewayError.SHUTDOWN.defaultMessage(), true));
        FullHttpResponse answer = other.readOutbound();
        assertEquals("close", answer.headers().get(HttpHeaderNames.CONNECTION));
        answer.release();
        assertFalse(other.isOpen());
        assertFalse(other.finishAndReleaseAll());
    }

    @Test
    void retryAfterAndTheStatusOfASheddingAnswer() {
        ClientResponder responder = responder(post("/generate"));
        responder.retryAfter(7);
        responder.fail(GatewayError.SHED_OVERLOAD, GatewayError.SHED_OVERLOAD.defaultMessage(), true);

        FullHttpResponse answer = next(FullHttpResponse.class);
        try {
            assertEquals(429, answer.status().code());
            assertEquals("7", answer.headers().get(HttpHeaderNames.RETRY_AFTER));
            assertEquals("shed_overload", answer.headers().get("X-Gateway-Error"));
            assertTrue(answer.content().toString(StandardCharsets.UTF_8).contains("\"layer\":\"gateway\""));
        } finally {
            answer.release();
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aRelayedPlainHeadIsHeldBackWithItsFirstContentUntilTheUpstreamsReadEnds() {
        ClientResponder responder = responder(post("/generate"));
        assertTrue(responder.relayHead(upstreamHead("application/json"), "model", "127.0.0.1:9", false));
        responder.relay(content("{\"generated_text\":"));
        assertEquals(List.of(), writes.written, "nothing written yet, not even unflushed");

        responder.flush();
        HttpResponse head = next(HttpResponse.class);
        assertEquals(200, head.status().code());
        assertEquals("model/127.0.0.1:9", head.headers().get("X-Gateway-Upstream"));
        assertEquals("chunked", head.headers().get(HttpHeaderNames.TRANSFER_ENCODING));
        assertEquals("{\"generated_text\":", text(next(HttpContent.class)));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aSecondContentLetsTheHeldHeadGoInOrder() {
        ClientResponder responder = responder(post("/generate"));
        responder.relayHead(upstreamHead("application/json"), "model", "127.0.0.1:9", false);
        responder.relay(content("{\"a\":"));
        responder.relay(content("1"));
        assertEquals(List.of("head", "content", "content"), writes.written);
        assertEquals(0, channel.outboundMessages().size(), "written, not flushed yet");
        assertTrue(responder.complete(new DefaultLastHttpContent(Unpooled.copiedBuffer("}", StandardCharsets.UTF_8)), true));

        assertEquals(200, next(HttpResponse.class).status().code());
        assertEquals("{\"a\":", text(next(HttpContent.class)));
        assertEquals("1", text(next(HttpContent.class)));
        assertEquals("}", text(next(LastHttpContent.class)));
        assertTrue(channel.isOpen(), "a whole response keeps the connection");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aFailureBeforeTheFlushBecomesA502AndNothingOfTheResponseIsWritten() {
        ClientResponder responder = responder(post("/generate"));
        responder.relayHead(upstreamHead("application/json"), "model", "127.0.0.1:9", false);
        HttpContent first = content("{\"generated");
        responder.relay(first);

        responder.fail(GatewayError.UPSTREAM_PROTOCOL, GatewayError.UPSTREAM_PROTOCOL.defaultMessage(), true);
        FullHttpResponse answer = next(FullHttpResponse.class);
        try {
            assertEquals(502, answer.status().code());
            assertEquals("upstream_protocol", answer.headers().get("X-Gateway-Error"));
        } finally {
            answer.release();
        }
        assertNull(channel.readOutbound(), "the upstream's head and content never went out");
        assertEquals(0, first.refCnt(), "the held content was released");
        assertEquals(502, responder.status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aFailureAfterTheFlushCutsTheBodyAndClosesTheConnection() {
        ClientResponder responder = responder(post("/generate"));
        responder.relayHead(upstreamHead("application/json"), "model", "127.0.0.1:9", false);
        responder.relay(content("{\"generated"));
        responder.flush();

        assertFalse(responder.fail(GatewayError.UPSTREAM_RESET, GatewayError.UPSTREAM_RESET.defaultMessage(), true));
        assertEquals(200, next(HttpResponse.class).status().code());
        assertEquals("{\"generated", text(next(HttpContent.class)));
        ByteBuf flushed = next(ByteBuf.class);
        assertEquals(0, flushed.readableBytes(), "no status, no error body: the response is cut short");
        flushed.release();
        assertNull(channel.readOutbound());
        assertFalse(channel.isOpen(), "the client cannot take the cut response for whole");
        assertEquals(200, responder.status(), "the client saw the upstream's status");
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aClientThatCannotKeepUpLosesNoBytesAndGetsThemInOrder() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(64, 128));
        ClientResponder responder = responder(post("/generate"));
        responder.relayHead(upstreamHead("application/octet-stream"), "model", "127.0.0.1:9", false);
        StringBuilder sent = new StringBuilder();
        boolean wentUnwritable = false;
        for (int i = 0; i < 100; i++) {
            String piece = "piece " + i + ";";
            sent.append(piece);
            responder.relay(content(piece));
            wentUnwritable |= !channel.isWritable();
        }
        assertTrue(wentUnwritable, "the client's buffer went past its high mark");
        assertEquals(0, channel.outboundMessages().size(), "nothing reached the client while it was not flushed");

        responder.complete(LastHttpContent.EMPTY_LAST_CONTENT, true);
        assertTrue(channel.isWritable());
        assertEquals(200, next(HttpResponse.class).status().code());
        StringBuilder received = new StringBuilder();
        for (Object message = channel.readOutbound(); message != null; message = channel.readOutbound()) {
            received.append(text(assertInstanceOf(HttpContent.class, message)));
        }
        assertEquals(sent.toString(), received.toString());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aStreamBegunEarlyGetsItsHeadAndHeartbeatsAndEndsWithAnErrorEventNotAStatus() {
        ClientResponder responder = responder(post("/v1/chat/completions"));
        responder.streamEarly();
        HttpResponse head = next(HttpResponse.class);
        assertEquals(200, head.status().code());
        assertEquals("text/event-stream", head.headers().get(HttpHeaderNames.CONTENT_TYPE));
        assertEquals("no-cache", head.headers().get(HttpHeaderNames.CACHE_CONTROL));
        assertNotNull(responder.stream());

        clock.advance(1, TimeUnit.SECONDS);
        channel.runScheduledPendingTasks();
        assertEquals(": keep-alive\n\n", text(next(HttpContent.class)));
        assertEquals(1, metrics.heartbeats, "counted for the route");

        assertTrue(responder.fail(GatewayError.CONNECT_FAILED, GatewayError.CONNECT_FAILED.defaultMessage(), true));
        assertEquals("data: {\"error\":{\"message\":\"could not connect to the upstream\",\"type\":\"connect_failed\","
                + "\"code\":502}}\n\ndata: [DONE]\n\n", text(next(LastHttpContent.class)));
        assertEquals(200, responder.status(), "the client was told 200 long before");
        responder.stop();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anUpstreamErrorHeadAfterAnEarlyStreamIsKeptToBeRetoldNotRelayed() {
        ClientResponder responder = responder(post("/generate_stream"));
        responder.streamEarly();
        ReferenceCountUtil.release(next(HttpResponse.class));
        HttpResponse error = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS);
        error.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json");

        assertFalse(responder.relayHead(error, "model", "127.0.0.1:9", false));
        assertNull(channel.readOutbound(), "a second head never goes to the client");
        assertTrue(responder.stream().retellingUpstreamError());
        assertEquals(429, responder.status());
        responder.stop();
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aStreamTheClientLeftIsCountedCancelled() {
        ClientResponder responder = responder(post("/generate_stream"));
        responder.streamEarly();
        ReferenceCountUtil.release(next(HttpResponse.class));

        responder.clientClosed();
        responder.stop();
        assertEquals(1, metrics.cancelled);
        assertEquals(200, responder.status());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aClientThatLeftBeforeAnyHeadIsCounted499AndNoStreamIsCancelled() {
        ClientResponder responder = responder(post("/generate"));
        responder.clientClosed();
        responder.stop();
        assertEquals(499, responder.status());
        assertEquals(0, metrics.cancelled);
        assertFalse(channel.finishAndReleaseAll());
    }
}
