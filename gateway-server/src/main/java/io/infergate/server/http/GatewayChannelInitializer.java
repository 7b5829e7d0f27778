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

/** The client pipeline, in the order bytes meet it. */
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
        if (tls != null) {
            // The handshake is part of the head: it must end within the header timeout.
            pipeline.addLast("tls", tls.newHandler(channel.alloc(), server.headerTimeout().toMillis()));
        }
        ClientTimeoutHandler timeouts = new ClientTimeoutHandler(server.idleTimeout(), server.headerTimeout());
        pipeline.addLast("timeouts", timeouts);
        pipeline.addLast("codec", new HttpServerCodec(new HttpDecoderConfig()
                .setMaxInitialLineLength(MAX_INITIAL_LINE_BYTES)
                .setMaxHeaderSize(server.maxHeaderBytes())
                .setMaxChunkSize(MAX_CHUNK_BYTES)
                .setHeadersFactory(RequestHeadersFactory.INSTANCE)));
        ResponseBodyBytes bodyBytes = new ResponseBodyBytes();
        pipeline.addLast("bodyBytes", bodyBytes);
        ProxyHandler proxy = new ProxyHandler(context, timeouts, bodyBytes);
        timeouts.bind(proxy);
        pipeline.addLast("proxy", proxy);
    }
}
