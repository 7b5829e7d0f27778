package io.infergate.server.http;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelInboundHandlerAdapter;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeCompletionEvent;

/**
 * HTTP/2 over TLS: when the handshake settles on {@code h2} by ALPN, the connection is switched
 * before its first request; otherwise it stays HTTP/1.1 as it was built, and from here reads only
 * when its proxy handler asks (the handshake itself reads freely, bounded by its timeout). Either
 * way this handler then leaves the pipeline.
 */
final class AlpnSwitch extends ChannelInboundHandlerAdapter {

    private final ToHttp2 toHttp2;

    AlpnSwitch(ToHttp2 toHttp2) {
        this.toHttp2 = toHttp2;
    }

    @Override
    public void userEventTriggered(ChannelHandlerContext ctx, Object event) {
        if (event instanceof SslHandshakeCompletionEvent handshake) {
            ctx.pipeline().remove(this);
            SslHandler tls = ctx.pipeline().get(SslHandler.class);
            if (handshake.isSuccess() && tls != null && ApplicationProtocolNames.HTTP_2.equals(tls.applicationProtocol())) {
                toHttp2.switchPipeline(ctx.pipeline(), "timeouts");
            } else {
                ctx.channel().config().setAutoRead(false); // HTTP/1.1: the proxy handler reads when it can use the bytes
            }
        }
        ctx.fireUserEventTriggered(event);
    }
}
