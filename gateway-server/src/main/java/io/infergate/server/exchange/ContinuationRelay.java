package io.infergate.server.exchange;

import io.infergate.core.error.GatewayError;
import io.infergate.core.recovery.PrefillRefusal;
import io.infergate.core.recovery.RecoveryScope;
import io.infergate.core.route.Route;
import io.infergate.server.relay.SseRelay;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

/**
 * The recovery side of the way down: arms a {@link StreamRecovery} for a stream that may be continued,
 * and judges a continuation's head. The client's stream began long ago, so a continuation's head is
 * never relayed: an event stream goes on into the splice, a prefill refusal (a 4xx that names it,
 * read whole) is answered by regenerating on the same endpoint, and anything else ends the client's
 * stream with the error event of the break.
 */
final class ContinuationRelay {

    private final Exchange exchange;
    private final Route route;
    private final String path;
    private final RequestBody body;
    private final AttemptLoop loop;
    /** Whether the route has anywhere to continue a stream: more endpoints, or a fallback it may use. */
    private final boolean possible;
    private StreamRecovery recovery;

    ContinuationRelay(Exchange exchange, Route route, String path, RequestBody body, AttemptLoop loop) {
        this.exchange = exchange;
        this.route = route;
        this.path = path;
        this.body = body;
        this.loop = loop;
        this.possible = possible(route);
    }

    /** Whether a stream on {@code route} could be continued somewhere, so its request body is kept. */
    static boolean possible(Route route) {
        return route.recovery() != RecoveryScope.OFF && (route.primary().endpoints().size() > 1
                || route.recovery() == RecoveryScope.CONTINUE && route.upstreams().size() > 1);
    }

    /** A stream is delivered: its recovery, read from the request body while the body is still kept. */
    void delivering(HttpResponse head, boolean streamBegun) {
        if (recovery == null && possible && body.replayable()
                && (streamBegun || head.status().code() == 200 && SseRelay.isEventStream(head))) {
            recovery = StreamRecovery.of(path, body.wholeBody());
        }
    }

    /** The stream's recovery; null when the route has none or the response is not a stream. */
    StreamRecovery recovery() {
        return recovery;
    }

    /** Whether the response under way is a continuation, whose head {@link #head} judges. */
    boolean resuming() {
        return recovery != null && recovery.resuming();
    }

    /**
     * A stream chunk on its way to the client: as it is when no recovery is armed, else its whole
     * events, spliced once a continuation relays. Null when a regenerated answer diverged: the client
     * got the error event instead.
     */
    HttpContent pass(HttpContent content, ByteBufAllocator alloc) {
        if (recovery == null || !recovery.armed()) {
            return content;
        }
        HttpContent events = recovery.relay(content, alloc);
        if (events == null) {
            exchange.fail(GatewayError.RECOVERY_DIVERGED, GatewayError.RECOVERY_DIVERGED.defaultMessage());
        }
        return events;
    }

    /**
     * The stream ended without its final event: for an armed recovery a break like any other, once
     * what came is out. Null when a continuation took over; else the end to relay as before.
     */
    HttpContent resumeCut(HttpContent last, ChannelHandlerContext client) {
        if (recovery == null || !recovery.armed()) {
            return last;
        }
        client.write(new DefaultHttpContent(last.content()), client.voidPromise());
        return exchange.resume(GatewayError.UPSTREAM_RESET) ? null : LastHttpContent.EMPTY_LAST_CONTENT;
    }

    /** A continued stream is whole: a comment after its final event says where it was continued. */
    void beforeEnd(ChannelHandlerContext client) {
        if (resuming()) {
            client.write(new DefaultHttpContent(Unpooled.wrappedBuffer(recovery.continuedComment())), client.voidPromise());
        }
    }

    /** The stream broke with {@code error}: a continuation takes over, or the client gets the error event. */
    void broke(GatewayError error) {
        if (!exchange.resume(error)) {
            exchange.fail(error, error.defaultMessage());
        }
    }

    /** A continuation's head: on into the splice, held to read a refusal, or the end of the stream. */
    void head(Attempt attempt, HttpResponse head) {
        int code = head.status().code();
        if (code == 200 && SseRelay.isEventStream(head)) {
            ReferenceCountUtil.release(head);
            exchange.moveTo(Phase.RELAYING);
            return;
        }
        if (recovery.prefilling() && code >= 400 && code < 500) {
            attempt.hold(new HeldResponse(head, HeldResponse.Until.WHOLE_BODY));
            exchange.moveTo(Phase.HOLDING);
            return;
        }
        ReferenceCountUtil.release(head);
        GatewayError error = recovery.breakError();
        exchange.fail(error, error.defaultMessage());
    }

    /** A held continuation answer is in: a prefill refusal regenerates there, anything else ends the stream. */
    void judge(Attempt attempt, HeldResponse held) {
        boolean refused = PrefillRefusal.named(held.status(), held.bytes());
        held.release();
        if (refused) {
            attempt.upstream.refusedPrefill();
            exchange.act(loop.regenerate(attempt));
        } else {
            GatewayError error = recovery.breakError();
            exchange.fail(error, error.defaultMessage());
        }
    }
}
