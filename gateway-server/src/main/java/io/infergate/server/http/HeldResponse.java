package io.infergate.server.http;

import io.infergate.core.sse.SseFramer;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.function.Consumer;

/**
 * An upstream's response kept back from the client until the gateway has read enough of it to
 * decide whether to deliver it or try elsewhere: a small error body (a {@code 503} that may say
 * "loading", a {@code 4xx} that may name an error code to fall back on), or a stream up to its first
 * event (which may be an in-band error). Nothing has reached the client meanwhile, so another
 * attempt stays possible. Bounded: past {@link #LIMIT} bytes the response is delivered as it is.
 */
final class HeldResponse {

    /** What the gateway waits for before deciding. */
    enum Until { WHOLE_BODY, FIRST_EVENT }

    static final int LIMIT = 64 * 1024;

    private final HttpResponse head;
    private final Until until;
    private final ArrayDeque<HttpContent> contents = new ArrayDeque<>(4);
    private final SseFramer framer;
    private int bytes;
    private boolean ready;

    HeldResponse(HttpResponse head, Until until) {
        this.head = head;
        this.until = until;
        this.framer = until == Until.FIRST_EVENT ? new SseFramer() : null;
    }

    /** Keeps a chunk; true once there is enough to decide (or too much to keep waiting). */
    boolean add(HttpContent content) {
        contents.add(content);
        ByteBuf chunk = content.content();
        bytes += chunk.readableBytes();
        if (framer != null) {
            framer.feed(chunk);
        }
        ready |= content instanceof LastHttpContent || bytes > LIMIT
                || framer != null && framer.fieldEventsCompleted() > 0;
        return ready;
    }

    HttpResponse head() {
        return head;
    }

    int status() {
        return head.status().code();
    }

    Until until() {
        return until;
    }

    /** Whether the whole response is here, so the connection could be reused. */
    boolean complete() {
        HttpContent last = contents.peekLast();
        return last instanceof LastHttpContent;
    }

    /** The bytes held so far, copied (they are small). */
    byte[] bytes() {
        byte[] all = new byte[bytes];
        int at = 0;
        for (HttpContent content : contents) {
            ByteBuf chunk = content.content();
            int n = chunk.readableBytes();
            chunk.getBytes(chunk.readerIndex(), all, at, n);
            at += n;
        }
        return all;
    }

    String text() {
        return new String(bytes(), StandardCharsets.UTF_8);
    }

    /** Hands the head and then each chunk on, in order; the receiver owns them. */
    void deliver(Consumer<HttpResponse> onHead, Consumer<HttpContent> onContent) {
        onHead.accept(head);
        HttpContent content;
        while ((content = contents.poll()) != null) {
            onContent.accept(content);
        }
    }

    void release() {
        ReferenceCountUtil.release(head);
        HttpContent content;
        while ((content = contents.poll()) != null) {
            content.release();
        }
    }
}
