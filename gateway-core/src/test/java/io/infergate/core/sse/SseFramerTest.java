package io.infergate.core.sse;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class SseFramerTest {

    private static final String HEARTBEAT = ": keep-alive\n\n";

    /** Streams as upstreams send them: TGI's, OpenAI's, and every form the spec allows. */
    static Stream<String> streams() {
        String tgi = "data: {\"index\":1,\"token\":{\"text\":\" Deep\"},\"generated_text\":null}\n\n"
                + "data: {\"index\":2,\"token\":{\"text\":\" learning\"},\"generated_text\":\" Deep learning\"}\n\n";
        String openAi = "data: {\"choices\":[{\"delta\":{\"content\":\"Hi\"}}]}\n\ndata: [DONE]\n\n";
        String fields = "event: token\nid: 7\nretry: 3000\ndata: a\ndata: b\n\n: a comment\n\nid: 8\ndata:c\n\n";
        String lone = "data\n\n:\n\ndata: x\n\n";
        return Stream.of(
                tgi, openAi, fields, lone,
                tgi.replace("\n", "\r\n"), fields.replace("\n", "\r\n"),
                tgi.replace("\n", "\r"), fields.replace("\n", "\r"),
                "data: mixed\r\n\r" + "data: endings\n\r\n" + "data: last\r\r",
                "\uFEFF" + openAi,
                "\uFEFF" + fields.replace("\n", "\r"));
    }

    @ParameterizedTest
    @MethodSource("streams")
    void heartbeatsAtEveryClaimedBoundaryChangeNoEventWhateverTheSplit(String stream) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        List<ReferenceSseParser.Event> expected = ReferenceSseParser.parse(stream);
        assertFalse(expected.isEmpty());
        for (int cut = 0; cut <= bytes.length; cut++) {
            assertEquals(expected, ReferenceSseParser.parse(relayWithHeartbeats(bytes, cut, bytes.length)), "split at " + cut);
        }
        // And in the worst case: one byte per chunk, a heartbeat wherever the framer allows one.
        assertEquals(expected, ReferenceSseParser.parse(relayWithHeartbeats(bytes, 1, 1)), "byte by byte");
    }

    @ParameterizedTest
    @MethodSource("streams")
    void theEndOfEveryEventIsABoundary(String stream) {
        byte[] bytes = stream.getBytes(StandardCharsets.UTF_8);
        SseFramer framer = new SseFramer();
        framer.feed(Unpooled.wrappedBuffer(bytes));
        assertTrue(framer.atEventBoundary(), "a complete stream ends at a boundary");
        assertTrue(framer.eventsCompleted() >= ReferenceSseParser.parse(stream).size());
    }

    @Test
    void insideAnEventIsNeverABoundary() {
        String event = "data: a\ndata: b\n";
        SseFramer framer = new SseFramer();
        for (byte b : event.getBytes(StandardCharsets.US_ASCII)) {
            framer.feed(Unpooled.wrappedBuffer(new byte[] {b}));
            assertFalse(framer.atEventBoundary());
        }
        framer.feed(Unpooled.wrappedBuffer(new byte[] {'\n'}));
        assertTrue(framer.atEventBoundary());
        assertEquals(1, framer.eventsCompleted());
    }

    @Test
    void aLeadingByteOrderMarkIsNotedAndNeverSplitByAHeartbeat() {
        SseFramer framer = new SseFramer();
        framer.feed(Unpooled.wrappedBuffer(new byte[] {(byte) 0xEF}));
        assertFalse(framer.atEventBoundary(), "inside the mark");
        framer.feed(Unpooled.wrappedBuffer(new byte[] {(byte) 0xBB, (byte) 0xBF}));
        assertTrue(framer.leadingBom());
        assertTrue(framer.atEventBoundary());
    }

    @Test
    void feedingLeavesTheChunkUntouched() {
        ByteBuf chunk = Unpooled.copiedBuffer("data: x\n\n", StandardCharsets.UTF_8);
        new SseFramer().feed(chunk);
        assertEquals(0, chunk.readerIndex());
        assertEquals("data: x\n\n", chunk.toString(StandardCharsets.UTF_8));
    }

    /**
     * Relays {@code bytes} in chunks (the first {@code first} bytes, then {@code rest} at a time) and
     * writes a heartbeat after each chunk that leaves the framer at a boundary.
     */
    private static String relayWithHeartbeats(byte[] bytes, int first, int rest) {
        SseFramer framer = new SseFramer();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        int pos = 0;
        for (int size = first; ; size = rest) {
            int n = Math.min(size, bytes.length - pos);
            framer.feed(Unpooled.wrappedBuffer(bytes, pos, n));
            out.write(bytes, pos, n);
            pos += n;
            // Before the first byte nobody can know whether a mark follows: the relay, not the
            // framer, handles a mark that arrives after a heartbeat.
            boolean beforeMark = pos == 0 && startsWithBom(bytes);
            if (framer.atEventBoundary() && !beforeMark) {
                out.writeBytes(HEARTBEAT.getBytes(StandardCharsets.US_ASCII));
            }
            if (pos == bytes.length) {
                return out.toString(StandardCharsets.UTF_8);
            }
        }
    }

    private static boolean startsWithBom(byte[] bytes) {
        return bytes.length >= 3 && bytes[0] == (byte) 0xEF && bytes[1] == (byte) 0xBB && bytes[2] == (byte) 0xBF;
    }
}
