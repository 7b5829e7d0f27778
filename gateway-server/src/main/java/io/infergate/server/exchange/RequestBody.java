package io.infergate.server.exchange;

import io.infergate.server.relay.BodyCopy;
import io.infergate.server.wire.ForwardingHeaders;
import io.infergate.server.wire.WholeMessage;
import io.infergate.core.json.ModelRewrite;
import io.infergate.core.sse.StreamRequests;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
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
    /** Whether no attempt has yet written or dropped the held chunks: they are still the body's start. */
    private boolean fresh = true;
    /** The body that continues a broken stream elsewhere, once recovery built one. */
    private byte[] continuation;

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

    /** The whole body, copied, for a decision before the first attempt; empty when there is none. */
    byte[] wholeBody() {
        return copy == null ? new byte[0] : copy.toArray();
    }

    /** Body bytes received from the client so far. */
    long bytes() {
        return bytes;
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

    /**
     * Writes the request head and the whole body for an attempt, framed by its length: with the
     * upstream's own model name when it has one, the held chunks on a first write, else the copy.
     *
     * @param model the upstream's {@code rewriteModel}, or null
     * @return whether the write must be flushed now (it is complete and nothing else will flush it)
     */
    boolean sendWith(HttpRequest request, Channel channel, String model) {
        if (continuation != null) {
            byte[] bytes = model == null ? continuation : ModelRewrite.rewrite(continuation, model).body();
            ForwardingHeaders.bodyLength(request, bytes.length, true);
            channel.write(WholeMessage.of(request, new DefaultLastHttpContent(Unpooled.wrappedBuffer(bytes))),
                    channel.voidPromise());
            return true;
        }
        if (model != null && replayable()) {
            LastHttpContent rewritten = rewrittenFor(model);
            ForwardingHeaders.bodyLength(request, rewritten.content().readableBytes(), present);
            channel.write(WholeMessage.of(request, rewritten), channel.voidPromise());
            return true;
        }
        ForwardingHeaders.bodyLength(request, bytes, present);
        if (fresh) {
            writeHeld(request, channel);
            return false;
        }
        // Another attempt: only ever made with the whole body in hand.
        channel.write(WholeMessage.of(request, replay()), channel.voidPromise());
        return true;
    }

    /** The head and the chunks held so far: as one message when they are the whole body's one chunk. */
    private void writeHeld(HttpRequest request, Channel channel) {
        fresh = false;
        if (pending.size() == 1 && pending.peek() instanceof LastHttpContent last) {
            pending.poll();
            channel.write(WholeMessage.of(request, last), channel.voidPromise());
            return;
        }
        channel.write(request, channel.voidPromise());
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
    private LastHttpContent replay() {
        return copy == null ? LastHttpContent.EMPTY_LAST_CONTENT : new DefaultLastHttpContent(copy.retainedBytes());
    }

    /**
     * The whole body for an upstream that rewrites the model: its top-level {@code model} field set
     * to {@code model}, every other byte as sent; as it is when it has no such field or is not JSON.
     */
    private LastHttpContent rewrittenFor(String model) {
        releaseHeld(); // the copy has them
        if (copy == null) {
            return LastHttpContent.EMPTY_LAST_CONTENT;
        }
        ModelRewrite.Result result = ModelRewrite.rewrite(copy.toArray(), model);
        return new DefaultLastHttpContent(Unpooled.wrappedBuffer(result.body()));
    }

    /** From now on, attempts send {@code body}: the continuation of a broken stream. */
    void continueWith(byte[] body) {
        continuation = body;
    }

    /** No other attempt will come: the copy goes, unless it is still to be read for a stream. */
    void dropCopy() {
        if (copy != null && !sniff) {
            copy.release();
            copy = null;
        }
    }

    void releaseHeld() {
        fresh = false;
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
