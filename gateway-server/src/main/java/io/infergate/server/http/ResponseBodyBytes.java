package io.infergate.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpContent;

/**
 * Counts the response body bytes written to a client connection for the current request, whoever
 * writes them (the relay, heartbeats, the gateway's own answers). Requests on a connection are
 * answered one at a time, and the writes happen on its loop, where the count is read.
 */
final class ResponseBodyBytes extends ChannelOutboundHandlerAdapter {

    private long total;

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) throws Exception {
        if (msg instanceof HttpContent content) {
            total += content.content().readableBytes();
        }
        super.write(ctx, msg, promise);
    }

    /** A request begins: its response is counted from zero. */
    void reset() {
        total = 0;
    }

    /** Body bytes written since the last {@link #reset}. */
    long total() {
        return total;
    }
}
