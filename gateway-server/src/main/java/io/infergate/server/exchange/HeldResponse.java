package io.infergate.server.exchange;

import io.infergate.server.relay.SseRelay;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.sse.InBandError;
import io.infergate.core.sse.SseFramer;
import io.infergate.core.sse.UpstreamError;
import io.infergate.core.upstream.ColdStartSignal;
import io.netty.buffer.ByteBuf;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.List;
import java.util.Set;
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

    /**
     * What a held response says: the endpoint's model is loading (with its estimate, or -1), or an
     * answer that may be worth another attempt (null: nothing to act on, deliver it).
     */
    record Reading(boolean loading, long etaNanos, AttemptOutcome.Answered answer) {}

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

    /**
     * What must be read of a response before it can be judged, while another attempt is possible:
     * a {@code 503}'s body may say the model is loading, a {@code 4xx}'s may name an error code the
     * route falls back on, and a stream's first event may be an error in a {@code 200}. Null: nothing.
     */
    static Until until(HttpResponse head, Set<String> fallbackOn) {
        int code = head.status().code();
        if (code == 503 || code >= 400 && code < 500 && code != 429 && !fallbackOn.isEmpty()) {
            return Until.WHOLE_BODY;
        }
        return code == 200 && SseRelay.isEventStream(head) ? Until.FIRST_EVENT : null;
    }

    /**
     * Reads what was held. A {@code 503} from a scale-to-zero upstream always means loading; from any
     * other only when its body says so.
     */
    Reading read(boolean scaleToZero, Set<String> fallbackOn) {
        int code = status();
        if (until == Until.FIRST_EVENT) {
            UpstreamError error = InBandError.inFirstEvent(text());
            return new Reading(false, -1, error == null ? null : new AttemptOutcome.Answered(error.status(), null, error.type()));
        }
        byte[] body = bytes();
        if (code == 503) {
            ColdStartSignal.Reading signal = ColdStartSignal.read(body);
            if (signal.loading() || scaleToZero) {
                return new Reading(true, signal.etaNanos(), null);
            }
        }
        return new Reading(false, -1, new AttemptOutcome.Answered(code, retryAfter(head), errorCode(body, fallbackOn)));
    }

    /** The first error code in the body that the route falls back on, else the first it names. */
    private static String errorCode(byte[] body, Set<String> fallbackOn) {
        List<String> codes = UpstreamError.codes(body);
        for (String code : codes) {
            if (fallbackOn.contains(code)) {
                return code;
            }
        }
        return codes.isEmpty() ? null : codes.get(0);
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

    int status() {
        return head.status().code();
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

    private String text() {
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

    /**
     * A {@code Retry-After} in seconds; an HTTP date is too rare from inference servers to be worth
     * parsing, and a negative number is no delay at all.
     */
    static Duration retryAfter(HttpResponse head) {
        String value = head.headers().get(HttpHeaderNames.RETRY_AFTER);
        if (value == null) {
            return null;
        }
        try {
            long seconds = Long.parseLong(value.trim());
            return seconds < 0 ? null : Duration.ofSeconds(seconds);
        } catch (NumberFormatException httpDate) {
            return null;
        }
    }
}
