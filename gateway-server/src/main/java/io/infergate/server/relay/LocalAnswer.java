package io.infergate.server.relay;

import io.infergate.server.wire.GatewayHeaders;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.metrics.ServerTiming;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;

/**
 * The one way a response the gateway makes itself goes out, whoever makes it (a guard's refusal, no
 * route, the jobs API, an exchange's error or a job's {@code 202}): stamped with {@code Server-Timing},
 * marked {@code Connection: close} unless the connection is kept, and closed after it is written,
 * lingering when the client may still be sending.
 */
public final class LocalAnswer {

    /** What becomes of the client's connection after the answer. */
    public enum After {
        /** Kept for the next request. */
        KEEP,
        /** Closed once the answer is written. */
        CLOSE,
        /** Closed after the rest of a refused request is read and dropped (see {@link LingeringClose}). */
        LINGER;

        /** Keep, or else close: lingering when the request was not read whole. */
        static After of(boolean keep, boolean requestReadWhole) {
            return keep ? KEEP : requestReadWhole ? CLOSE : LINGER;
        }
    }

    private LocalAnswer() {}

    /** Sends {@code response}, stamped as of {@code nowNanos}; true when the connection is kept. */
    public static boolean send(ChannelHandlerContext client, FullHttpResponse response, ExchangeRecord record, long nowNanos,
                        After after) {
        response.headers().set(GatewayHeaders.SERVER_TIMING, ServerTiming.of(record, nowNanos));
        if (after != After.KEEP) {
            response.headers().set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        }
        ChannelFuture written = client.writeAndFlush(response);
        written.addListener(switch (after) {
            case KEEP -> ChannelFutureListener.CLOSE_ON_FAILURE;
            case CLOSE -> ChannelFutureListener.CLOSE;
            case LINGER -> LingeringClose.AFTER_WRITE;
        });
        return after == After.KEEP;
    }
}
