package io.infergate.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpObject;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http.HttpVersion;

import java.util.List;

/**
 * Cleartext HTTP/2 by {@code Upgrade: h2c} on a connection's first request: Netty's upgrade handler,
 * which answers {@code 101} and hands the request to HTTP/2 as stream 1. Only a request without a
 * body is upgraded (a body would have to be held whole first); any other request, and every request
 * after the first, is served as HTTP/1.1, the {@code Upgrade} header dropped as hop-by-hop, and the
 * handler leaves the pipeline after that first request.
 */
final class H2cUpgrade extends HttpServerUpgradeHandler {

    H2cUpgrade(HttpServerCodec codec, ToHttp2 toHttp2) {
        super(codec, toHttp2.upgradeCodecs(), 0, DefaultHttpHeadersFactory.headersFactory(),
                DefaultHttpHeadersFactory.trailersFactory(), true);
    }

    @Override
    protected boolean shouldHandleUpgradeRequest(HttpRequest request) {
        String length = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        return request.decoderResult().isSuccess() && request.protocolVersion().equals(HttpVersion.HTTP_1_1)
                && (length == null || "0".equals(length.trim()))
                && !request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
    }

    @Override
    protected void decode(ChannelHandlerContext ctx, HttpObject msg, List<Object> out) throws Exception {
        super.decode(ctx, msg, out);
        // An upgrade that did not happen (a bad HTTP2-Settings) leaves its request whole: the proxy
        // takes a head and then its body, as the codec gives them.
        for (int i = 0; i < out.size(); i++) {
            if (out.get(i) instanceof FullHttpRequest full) {
                out.set(i, StreamRequest.body(full));
                out.add(i, StreamRequest.head(full));
                i++;
            }
        }
    }
}
