package io.infergate.server.relay;

import io.infergate.core.error.GatewayError;
import io.infergate.core.sse.StreamProtocol;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.MockTicker;
import io.netty.util.concurrent.Ticker;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The client side of an event stream on an {@link EmbeddedChannel} whose loop runs on a mock clock,
 * the same clock the relay reads: its heartbeat timer fires only when the test moves that clock.
 */
class SseRelayTest {

    private static final Duration INTERVAL = Duration.ofSeconds(1);
    private static final String HEARTBEAT = ": keep-alive\n\n";

    private final MockTicker clock = Ticker.newMockTicker();
    private final EmbeddedChannel channel = EmbeddedChannel.builder()
            .ticker(clock).handlers(new ChannelInboundHandlerAdapter()).build();
    private final ChannelHandlerContext client = channel.pipeline().firstContext();
    private final Seen seen = new Seen();

    /** What the relay told its meters. */
    private static final class Seen implements SseRelay.Observer {
        int heartbeats;
        long events;

        @Override
        public void heartbeatSent() {
            heartbeats++;
        }

        @Override
        public void eventsRelayed(long count, long nowNanos) {
            events += count;
        }
    }

    /** A relay whose stream head has just gone out, so its quiet intervals are timed from now. */
    private SseRelay relay(StreamProtocol protocol) {
        SseRelay relay = new SseRelay(client, protocol, INTERVAL.toNanos(), clock::nanoTime, seen);
        relay.start();
        return relay;
    }

    /** What the exchange does with an upstream chunk of a stream: tracked, then written as it is. */
    private void relayChunk(SseRelay relay, byte[] bytes) {
        HttpContent chunk = new DefaultHttpContent(Unpooled.wrappedBuffer(bytes));
        relay.track(chunk);
        client.writeAndFlush(chunk);
    }

    private void relayChunk(SseRelay relay, String text) {
        relayChunk(relay, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The clock moves on, and the loop runs what fell due. */
    private void pass(Duration time) {
        clock.advance(time.toNanos(), TimeUnit.NANOSECONDS);
        channel.runScheduledPendingTasks();
    }

    /** The bytes the client received since the last look, each message released once read. */
    private byte[] receivedBytes() {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        for (HttpContent content = channel.readOutbound(); content != null; content = channel.readOutbound()) {
            try {
                byte[] bytes = new byte[content.content().readableBytes()];
                content.content().getBytes(content.content().readerIndex(), bytes);
                out.writeBytes(bytes);
            } finally {
                content.release();
            }
        }
        return out.toByteArray();
    }

    private String received() {
        return new String(receivedBytes(), StandardCharsets.UTF_8);
    }

    @Test
    void eventsPassByteForByteWhereverTheUpstreamSplitsThem() {
        byte[] stream = ("data: {\"index\":1,\"token\":{\"text\":\" caf\u00e9 \u2713\"}}\n\n"
                + ": a comment\n\n"
                + "id: 7\r\ndata: {\"index\":2,\"generated_text\":\"x\"}\r\n\r\n").getBytes(StandardCharsets.UTF_8);
        for (int split = 1; split < stream.length; split++) {
            Seen counted = new Seen();
            SseRelay relay = new SseRelay(client, StreamProtocol.TGI, INTERVAL.toNanos(), clock::nanoTime, counted);
            relay.start();
            relayChunk(relay, Arrays.copyOfRange(stream, 0, split));
            relayChunk(relay, Arrays.copyOfRange(stream, split, stream.length));
            relay.stop();

            assertArrayEquals(stream, receivedBytes(), "split at byte " + split);
            assertEquals(2, counted.events, "events, not comments, at split " + split);
            assertTrue(relay.endedWithFinalEvent(), "TGI's event with generated_text ends it, at split " + split);
        }
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aQuietIntervalGetsAHeartbeatAndNotBefore() {
        relay(StreamProtocol.TGI);
        pass(INTERVAL.minusNanos(1));
        assertEquals("", received());
        pass(Duration.ofNanos(1));
        assertEquals(HEARTBEAT, received());
        pass(INTERVAL);
        assertEquals(HEARTBEAT, received(), "one for each quiet interval");
        assertEquals(2, seen.heartbeats);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anEventPutsTheNextHeartbeatAWholeIntervalAfterIt() {
        SseRelay relay = relay(StreamProtocol.TGI);
        pass(INTERVAL.dividedBy(2));
        relayChunk(relay, "data: {\"index\":1}\n\n");
        pass(INTERVAL.dividedBy(2));
        assertEquals("data: {\"index\":1}\n\n", received(), "only half an interval since the event");
        pass(INTERVAL.dividedBy(2));
        assertEquals(HEARTBEAT, received());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void heartbeatsGoOnlyBetweenEventsNeverInsideOneSplitAcrossChunks() {
        SseRelay relay = relay(StreamProtocol.TGI);
        relayChunk(relay, "data: {\"index\":1}\n\n");
        pass(INTERVAL);
        relayChunk(relay, "data: {\"ind");
        pass(INTERVAL.multipliedBy(5));
        relayChunk(relay, "ex\":2}\n");
        pass(INTERVAL.multipliedBy(5));
        relayChunk(relay, "\n");
        pass(INTERVAL);

        assertEquals("data: {\"index\":1}\n\n" + HEARTBEAT + "data: {\"index\":2}\n\n" + HEARTBEAT, received());
        assertEquals(2, seen.heartbeats);
        assertEquals(2, seen.events);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void noHeartbeatIsAddedWhileTheClientCannotTakeMoreAndTheBytesKeepTheirOrder() {
        channel.config().setWriteBufferWaterMark(new WriteBufferWaterMark(8, 16));
        SseRelay relay = relay(StreamProtocol.TGI);
        String event = "data: {\"index\":1,\"token\":{\"text\":\"x\"}}\n\n";
        HttpContent chunk = new DefaultHttpContent(Unpooled.copiedBuffer(event, StandardCharsets.UTF_8));
        relay.track(chunk);
        client.write(chunk); // not flushed: the client's buffer is past its high mark
        assertFalse(channel.isWritable());

        pass(INTERVAL.multipliedBy(3));
        assertEquals(0, seen.heartbeats);
        assertEquals("", received(), "nothing flushed: no heartbeat pushed the event out either");

        client.flush();
        assertTrue(channel.isWritable());
        assertEquals(event, received());
        pass(INTERVAL);
        assertEquals(HEARTBEAT, received());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aFailedStreamEndsWithOneErrorEventInTgiForm() {
        SseRelay relay = relay(StreamProtocol.TGI);
        relayChunk(relay, "data: {\"index\":1}\n\n");
        ChannelFuture ended = relay.endWith(StreamProtocol.TGI.errorEvent(GatewayError.STREAM_IDLE_TIMEOUT,
                GatewayError.STREAM_IDLE_TIMEOUT.defaultMessage()));

        assertTrue(ended.isSuccess());
        assertEquals("data: {\"index\":1}\n\n", received(channel.readOutbound()));
        LastHttpContent last = channel.readOutbound();
        assertEquals("data: {\"error\":\"the upstream went silent mid-response\",\"error_type\":\"stream_idle_timeout\"}\n\n",
                received(last));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aFailedStreamEndsWithAnErrorEventAndDoneInOpenAiForm() {
        SseRelay relay = relay(StreamProtocol.OPENAI);
        relayChunk(relay, "data: {\"choices\":[]}\n\n");
        relay.endWith(StreamProtocol.OPENAI.errorEvent(GatewayError.DEADLINE_EXCEEDED,
                GatewayError.DEADLINE_EXCEEDED.defaultMessage()));

        assertEquals("data: {\"choices\":[]}\n\n", received(channel.readOutbound()));
        LastHttpContent last = channel.readOutbound();
        assertEquals("data: {\"error\":{\"message\":\"the request's total deadline ran out\",\"type\":\"deadline_exceeded\","
                + "\"code\":504}}\n\ndata: [DONE]\n\n", received(last));
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anEventTheUpstreamLeftOpenIsClosedBeforeTheErrorEvent() {
        SseRelay relay = relay(StreamProtocol.TGI);
        relayChunk(relay, "data: {\"index\":1}\n\ndata: {\"ind");
        relay.endWith(StreamProtocol.TGI.errorEvent(GatewayError.UPSTREAM_RESET, GatewayError.UPSTREAM_RESET.defaultMessage()));

        assertEquals("data: {\"index\":1}\n\ndata: {\"ind\n\ndata: {\"error\":\"the upstream closed the connection before "
                + "the response completed\",\"error_type\":\"upstream_reset\"}\n\n", received());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void noHeartbeatFollowsTheStreamsEnd() {
        SseRelay relay = relay(StreamProtocol.TGI);
        relay.endWith(StreamProtocol.TGI.errorEvent(GatewayError.SHUTDOWN, GatewayError.SHUTDOWN.defaultMessage()));
        assertEquals("data: {\"error\":\"the gateway is shutting down\",\"error_type\":\"shutdown\"}\n\n", received());

        pass(INTERVAL.multipliedBy(3));
        assertEquals("", received());
        assertEquals(0, seen.heartbeats);
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void anUpstreamErrorAnswerToAnEarlyStreamIsRetoldAsItsLastEvent() {
        SseRelay relay = relay(StreamProtocol.TGI);
        relay.retellUpstreamError(429);
        assertTrue(relay.retellingUpstreamError());
        HttpContent first = new DefaultHttpContent(Unpooled.copiedBuffer("{\"error\":\"Model is ", StandardCharsets.UTF_8));
        HttpContent rest = new DefaultLastHttpContent(Unpooled.copiedBuffer("overloaded\",\"error_type\":\"overloaded\"}",
                StandardCharsets.UTF_8));

        assertNull(relay.collectUpstreamError(first));
        byte[] event = relay.collectUpstreamError(rest);
        relay.endWith(event);
        assertEquals("data: {\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}\n\n", received());
        assertEquals(0, first.refCnt(), "the error body's copy went with the stream's end");
        assertEquals(0, rest.refCnt());
        assertFalse(channel.finishAndReleaseAll());
    }

    @Test
    void aByteOrderMarkIsKeptFirstButDroppedAfterAHeartbeat() {
        String bom = "\uFEFF";
        SseRelay first = relay(StreamProtocol.TGI);
        relayChunk(first, bom + "data: 1\n\n");
        assertEquals(bom + "data: 1\n\n", received(), "at the very start a client's parser strips it");
        first.stop();

        SseRelay late = relay(StreamProtocol.TGI);
        pass(INTERVAL);
        relayChunk(late, bom + "data: 1\n\n");
        assertEquals(HEARTBEAT + "data: 1\n\n", received(), "after a heartbeat it would be part of a field's name");
        assertFalse(channel.finishAndReleaseAll());
    }

    private static String received(HttpContent content) {
        try {
            return content.content().toString(StandardCharsets.UTF_8);
        } finally {
            content.release();
        }
    }
}
