package io.infergate.server.http;

import io.infergate.core.sse.StreamRequests;
import io.netty.buffer.ByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.ArrayDeque;

/**
 * The client's request body on its way up: chunks that wait for a connection, its size against the
 * limit, and a copy (by reference) kept while it may still say {@code "stream": true} or be sent
 * again to another endpoint.
 */
final class RequestBody {

    private final ArrayDeque<HttpContent> pending = new ArrayDeque<>(2);
    private final boolean present;
    private final long maxBytes;
    private BodyCopy copy;
    private boolean sniff;
    private long bytes;
    private boolean complete;

    RequestBody(HttpRequest request, ByteBufAllocator alloc, long maxBytes, boolean sniff, boolean keepForReplay) {
        this.present = HttpUtil.isContentLengthSet(request) || HttpUtil.isTransferEncodingChunked(request);
        this.maxBytes = maxBytes;
        this.sniff = sniff && present;
        if (present && (this.sniff || keepForReplay)) {
            copy = new BodyCopy(alloc, (int) Math.min(Integer.MAX_VALUE, maxBytes));
        }
    }

    /** Measures and copies a chunk; false when the body is now over the limit. */
    boolean accept(HttpContent content) {
        bytes += content.content().readableBytes();
        if (copy != null) {
            copy.add(content.content());
        }
        complete = content instanceof LastHttpContent;
        return bytes <= maxBytes;
    }

    boolean complete() {
        return complete;
    }

    /** Whether a copy is kept, so that the body can be sent again. */
    boolean copied() {
        return copy != null;
    }

    /** Once the body is complete: whether it asked for a stream with {@code "stream": true}. Answers once. */
    boolean askedForStream() {
        if (!sniff || !complete) {
            return false;
        }
        sniff = false;
        return StreamRequests.bodyAsksForStream(copy.stream());
    }

    /** Holds a chunk until a connection takes it. */
    void hold(HttpContent content) {
        pending.add(content);
    }

    void writeHeld(Channel channel) {
        HttpContent content;
        while ((content = pending.poll()) != null) {
            channel.write(content, channel.voidPromise());
        }
    }

    /** Whether the whole body is in hand for another attempt. */
    boolean replayable() {
        return complete && (copy != null || !present);
    }

    /** The whole body again, for another attempt. */
    LastHttpContent replay() {
        return copy == null ? LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent(copy.retainedBytes());
    }

    /** No other attempt will come: the copy goes, unless it is still to be read for a stream. */
    void dropCopy() {
        if (copy != null && !sniff) {
            copy.release();
            copy = null;
        }
    }

    void releaseHeld() {
        HttpContent content;
        while ((content = pending.poll()) != null) {
            content.release();
        }
    }

    void release() {
        releaseHeld();
        if (copy != null) {
            copy.release();
            copy = null;
        }
    }
}
