package io.infergate.server.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;

import java.io.InputStream;

/**
 * The first bytes of a body, kept by reference (retained slices, no copying) while the body itself
 * goes on: for a decision about it once it is complete. Must be released.
 */
public final class BodyCopy {

    private final CompositeByteBuf bytes;
    private final int limit;

    public BodyCopy(ByteBufAllocator alloc, int limit) {
        this.bytes = alloc.compositeBuffer();
        this.limit = limit;
    }

    /** Keeps what fits of {@code chunk}'s readable bytes; the chunk's indexes are not moved. */
    public void add(ByteBuf chunk) {
        int room = limit - bytes.readableBytes();
        int n = Math.min(room, chunk.readableBytes());
        if (n > 0) {
            bytes.addComponent(true, chunk.retainedSlice(chunk.readerIndex(), n));
        }
    }

    /** Reads the bytes without using them up: a later {@link #retainedBytes()} still has them all. */
    public InputStream stream() {
        return new ByteBufInputStream(bytes.duplicate());
    }

    /** The bytes kept so far, as a new reference the caller releases. */
    public ByteBuf retainedBytes() {
        return bytes.retainedDuplicate();
    }

    public byte[] toArray() {
        return ByteBufUtil.getBytes(bytes);
    }

    public void release() {
        bytes.release();
    }
}
