package io.infergate.server.relay;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelOutboundHandlerAdapter;
import io.netty.channel.ChannelPromise;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

import java.util.ArrayList;
import java.util.List;

/** Notes what goes towards the client as it is written, before any flush, and passes it on. */
final class WritesSeen extends ChannelOutboundHandlerAdapter {

    final List<String> written = new ArrayList<>();

    @Override
    public void write(ChannelHandlerContext ctx, Object msg, ChannelPromise promise) {
        written.add(msg instanceof HttpResponse ? "head" : msg instanceof LastHttpContent ? "last" : "content");
        ctx.write(msg, promise);
    }
}
