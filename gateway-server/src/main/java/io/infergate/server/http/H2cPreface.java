package io.infergate.server.http;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufUtil;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http2.Http2CodecUtil;

/**
 * Cleartext HTTP/2 by prior knowledge: a connection whose first bytes are the HTTP/2 connection
 * preface is switched to HTTP/2 before the HTTP/1.1 codec sees anything. Any other first bytes go
 * on to that codec as they came, and this handler leaves the pipeline: from the first read on, an
 * HTTP/1.1 connection's bytes meet exactly the handlers they always did.
 */
final class H2cPreface extends ChannelInboundHandlerAdapter {

    private static final ByteBuf PREFACE = Http2CodecUtil.connectionPrefaceBuf();

    private final ToHttp2 toHttp2;
    /** The first bytes, while they are still a beginning of the preface; null until some arrive. */
    private ByteBuf start;

    H2cPreface(ToHttp2 toHttp2) {
        this.toHttp2 = toHttp2;
    }

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (!(msg instanceof ByteBuf bytes)) {
            ctx.fireChannelRead(msg);
            return;
        }
        start = start == null ? bytes : ctx.alloc().compositeBuffer(2).addComponents(true, start, bytes);
        int compared = Math.min(start.readableBytes(), PREFACE.readableBytes());
        boolean prefaceSoFar = ByteBufUtil.equals(start, start.readerIndex(), PREFACE, PREFACE.readerIndex(), compared);
        if (prefaceSoFar && compared < PREFACE.readableBytes()) {
            return; // too few bytes to tell yet: the next read decides
        }
        ByteBuf first = start;
        start = null;
        if (prefaceSoFar) {
            toHttp2.switchPipeline(ctx.pipeline(), ctx.name());
        }
        ctx.pipeline().remove(this);
        ctx.fireChannelRead(first);
    }

    @Override
    public void handlerRemoved(ChannelHandlerContext ctx) {
        if (start != null) {
            start.release();
            start = null;
        }
    }
}
