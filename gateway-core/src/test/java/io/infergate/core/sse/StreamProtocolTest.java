package io.infergate.core.sse;

import io.infergate.core.error.GatewayError;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class StreamProtocolTest {

    private static String lastEventHeadOf(String stream) {
        SseFramer framer = new SseFramer();
        framer.feed(Unpooled.copiedBuffer(stream, StandardCharsets.UTF_8));
        return framer.lastEventHead();
    }

    @Test
    void protocolFollowsThePath() {
        assertEquals(StreamProtocol.OPENAI, StreamProtocol.forPath("/v1/chat/completions"));
        assertEquals(StreamProtocol.TGI, StreamProtocol.forPath("/generate_stream"));
        assertEquals(StreamProtocol.TGI, StreamProtocol.forPath("/"));
    }

    @Test
    void tgiErrorEventIsTgisOwnShape() {
        String event = new String(StreamProtocol.TGI.errorEvent(GatewayError.STREAM_IDLE_TIMEOUT, "silent \"upstream\""),
                StandardCharsets.UTF_8);
        assertEquals("data: {\"error\":\"silent \\\"upstream\\\"\",\"error_type\":\"stream_idle_timeout\"}\n\n", event);
        assertEquals(List.of(new ReferenceSseParser.Event("message",
                "{\"error\":\"silent \\\"upstream\\\"\",\"error_type\":\"stream_idle_timeout\"}", "")),
                ReferenceSseParser.parse(event));
    }

    @Test
    void openAiErrorEventIsFollowedByDone() {
        String events = new String(StreamProtocol.OPENAI.errorEvent(GatewayError.UPSTREAM_RESET, "gone"), StandardCharsets.UTF_8);
        assertEquals("data: {\"error\":{\"message\":\"gone\",\"type\":\"upstream_reset\",\"code\":502}}\n\ndata: [DONE]\n\n", events);
    }

    @Test
    void finalEventsAreRecognisedWhateverTheLineEndings() {
        assertTrue(StreamProtocol.OPENAI.isFinalEvent(lastEventHeadOf("data: {\"x\":1}\n\ndata: [DONE]\r\n\r\n")));
        assertFalse(StreamProtocol.OPENAI.isFinalEvent(lastEventHeadOf("data: {\"x\":1}\n\n")));
        assertTrue(StreamProtocol.TGI.isFinalEvent(lastEventHeadOf(
                "data: {\"index\":1,\"generated_text\":null}\n\ndata: {\"index\":2,\"generated_text\": \"Hi\",\"details\":null}\r\r")));
        assertFalse(StreamProtocol.TGI.isFinalEvent(lastEventHeadOf("data: {\"index\":1,\"generated_text\":null}\n\n")));
        assertFalse(StreamProtocol.TGI.isFinalEvent(lastEventHeadOf("data: {\"error\":\"x\",\"error_type\":\"overloaded\"}\n\n")));
    }

    @Test
    void commentsDoNotHideTheLastEvent() {
        assertTrue(StreamProtocol.OPENAI.isFinalEvent(lastEventHeadOf("data: [DONE]\n\n:\n\n: keep-alive\n\n")));
    }
}
