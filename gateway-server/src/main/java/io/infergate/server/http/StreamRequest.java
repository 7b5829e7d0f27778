package io.infergate.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.handler.codec.http2.HttpConversionUtil.ExtensionHeaderNames;

/**
 * An HTTP/2 stream's request, made to read as HTTP/1.1's codec gives it: a head, then its body to
 * a last content, also when the stream ended with its headers (which the frame codec gives as one
 * full request). The codec's own {@code x-http2-*} headers stay here: they name this hop's stream
 * and scheme, nothing an upstream should see. {@code :authority} is already the {@code Host}.
 */
final class StreamRequest extends ChannelInboundHandlerAdapter {

    @Override
    public void channelRead(ChannelHandlerContext ctx, Object msg) {
        if (msg instanceof HttpRequest request) {
            for (ExtensionHeaderNames name : ExtensionHeaderNames.values()) {
                request.headers().remove(name.text());
            }
        }
        if (msg instanceof FullHttpRequest full) {
            ctx.fireChannelRead(head(full));
            ctx.fireChannelRead(body(full));
            return;
        }
        ctx.fireChannelRead(msg);
    }

    /** A whole request's head alone; {@link #body} holds its reference. */
    static HttpRequest head(FullHttpRequest full) {
        return new DefaultHttpRequest(full.protocolVersion(), full.method(), full.uri(), full.headers());
    }

    /** A whole request's body as its last content, holding the request's one reference. */
    static LastHttpContent body(FullHttpRequest full) {
        return new DefaultLastHttpContent(full.content(), full.trailingHeaders());
    }
}
