package io.infergate.server.http;

import io.infergate.server.exchange.ProxyContext;
import io.infergate.server.wire.RequestHeadersFactory;
import io.infergate.core.config.ServerConfig;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.codec.http.HttpServerCodec;

/**
 * The client pipeline, in the order bytes meet it. Every connection starts as HTTP/1.1; one that
 * speaks HTTP/2 (ALPN over TLS; the preface or {@code Upgrade: h2c} in clear) is switched by
 * {@link ToHttp2}, and the handlers that watch for that leave the pipeline once the first request
 * (or the handshake) has shown which it is.
 */
public final class GatewayChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_INITIAL_LINE_BYTES = 8192;
    private static final int MAX_CHUNK_BYTES = 64 * 1024;

    private final ProxyContext context;
    private final ChannelGroup clients;
    private final ListenerTls tls;

    /** @param tls the listener's TLS; null for plain HTTP */
    public GatewayChannelInitializer(ProxyContext context, ChannelGroup clients, ListenerTls tls) {
        this.context = context;
        this.clients = clients;
        this.tls = tls;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        clients.add(channel);
        ServerConfig server = context.server();
        ChannelPipeline pipeline = channel.pipeline();
        ClientTimeoutHandler timeouts = new ClientTimeoutHandler(server.idleTimeout(), server.headerTimeout());
        ToHttp2 toHttp2 = new ToHttp2(context, timeouts);
        if (tls != null) {
            // The handshake is part of the head: it must end within the header timeout.
            pipeline.addLast("tls", tls.newHandler(channel.alloc(), server.headerTimeout().toMillis()));
            pipeline.addLast("alpn", new AlpnSwitch(toHttp2));
            // The handshake reads as it needs; the request handlers take over reading after it.
            channel.config().setAutoRead(true);
        }
        pipeline.addLast("timeouts", timeouts);
        if (tls == null) {
            pipeline.addLast("h2cPreface", new H2cPreface(toHttp2));
        }
        HttpServerCodec codec = new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(server.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK_BYTES)
                .setHeadersFactory(RequestHeadersFactory.INSTANCE));
        pipeline.addLast("codec", codec);
        if (tls == null) {
            pipeline.addLast("h2cUpgrade", new H2cUpgrade(codec, toHttp2));
        }
        ResponseBodyBytes bodyBytes = new ResponseBodyBytes();
        pipeline.addLast("bodyBytes", bodyBytes);
        ProxyHandler proxy = new ProxyHandler(context, timeouts, bodyBytes);
        timeouts.bind(proxy);
        pipeline.addLast("proxy", proxy);
    }
}
