package io.infergate.server.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

class BodyCopyTest {

    private static ByteBuf chunk(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    private static String text(ByteBuf bytes) {
        return bytes.toString(StandardCharsets.UTF_8);
    }

    @Test
    void oneChunkIsKeptByReferenceAndReleasedWithTheCopy() {
        ByteBuf body = chunk("{\"inputs\":\"hi\"}");
        BodyCopy copy = new BodyCopy(ByteBufAllocator.DEFAULT, 1024);
        copy.add(body);
        assertEquals(2, body.refCnt(), "the copy holds a reference, not a copy of the bytes");
        assertEquals(0, body.readerIndex());
        ByteBuf kept = copy.retainedBytes();
        assertEquals("{\"inputs\":\"hi\"}", text(kept));
        kept.release();
        copy.release();
        assertEquals(1, body.refCnt());
        body.release();
    }

    @Test
    void manyChunksReadAsOneBodyInOrder() throws Exception {
        ByteBuf a = chunk("{\"inputs\":");
        ByteBuf b = chunk("\"hi\"");
        ByteBuf c = chunk("}");
        BodyCopy copy = new BodyCopy(ByteBufAllocator.DEFAULT, 1024);
        copy.add(a);
        copy.add(b);
        copy.add(c);
        try (InputStream in = copy.stream()) {
            assertArrayEquals("{\"inputs\":\"hi\"}".getBytes(StandardCharsets.UTF_8), in.readAllBytes());
        }
        assertEquals("{\"inputs\":\"hi\"}", new String(copy.toArray(), StandardCharsets.UTF_8), "stream() used nothing up");
        copy.release();
        for (ByteBuf chunk : new ByteBuf[] {a, b, c}) {
            assertEquals(1, chunk.refCnt());
            chunk.release();
        }
    }

    @Test
    void keepsNoMoreThanItsLimit() {
        ByteBuf a = chunk("abcdef");
        ByteBuf b = chunk("ghij");
        BodyCopy copy = new BodyCopy(ByteBufAllocator.DEFAULT, 8);
        copy.add(a);
        copy.add(b);
        copy.add(b); // full: nothing more is kept, nor retained
        assertEquals("abcdefgh", new String(copy.toArray(), StandardCharsets.UTF_8));
        assertEquals(2, b.refCnt());
        copy.release();
        a.release();
        b.release();
    }

    @Test
    void anEmptyCopyHasNoBytesAndReleasesCleanly() {
        BodyCopy copy = new BodyCopy(ByteBufAllocator.DEFAULT, 8);
        copy.add(Unpooled.EMPTY_BUFFER);
        ByteBuf kept = copy.retainedBytes();
        assertEquals(0, kept.readableBytes());
        kept.release();
        copy.release();
    }
}
