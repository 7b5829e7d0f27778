package io.infergate.server.relay;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.ByteBufInputStream;
import io.netty.buffer.ByteBufUtil;
import io.netty.buffer.CompositeByteBuf;
import io.netty.buffer.Unpooled;

import java.io.InputStream;

/**
 * The first bytes of a body, kept by reference (retained slices, no copying) while the body itself
 * goes on: for a decision about it once it is complete. Must be released.
 * <p>
 * Most bodies come in one chunk, kept as its one slice; a composite is made only for a second.
 */
public final class BodyCopy {

    private final ByteBufAllocator alloc;
    private final int limit;
    /** The slice kept, or the composite of all of them once there are two. */
    private ByteBuf bytes = Unpooled.EMPTY_BUFFER;

    public BodyCopy(ByteBufAllocator alloc, int limit) {
        this.alloc = alloc;
        this.limit = limit;
    }

    /** Keeps what fits of {@code chunk}'s readable bytes; the chunk's indexes are not moved. */
    public void add(ByteBuf chunk) {
        int room = limit - bytes.readableBytes();
        int n = Math.min(room, chunk.readableBytes());
        if (n <= 0) {
            return;
        }
        ByteBuf slice = chunk.retainedSlice(chunk.readerIndex(), n);
        if (bytes == Unpooled.EMPTY_BUFFER) {
            bytes = slice;
        } else if (bytes instanceof CompositeByteBuf many) {
            many.addComponent(true, slice);
        } else {
            bytes = alloc.compositeBuffer().addComponents(true, bytes, slice);
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
