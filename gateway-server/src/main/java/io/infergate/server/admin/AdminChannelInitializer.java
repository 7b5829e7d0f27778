package io.infergate.server.admin;

import io.infergate.server.exchange.ProxyContext;
import io.infergate.server.reload.ConfigReloader;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;
import io.netty.handler.timeout.IdleStateHandler;

import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/** The admin pipeline: small requests, aggregated, answered by {@link AdminHandler}. */
public final class AdminChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final int MAX_ADMIN_REQUEST_BYTES = 64 * 1024;

    private final AdminHandler handler;

    /**
     * @param unready  why the gateway is not ready ({@code /readyz} answers 503 with it), null when it is
     * @param context  the running gateway's routes, status board and jobs
     * @param reloader the config's reloader, for {@code POST /admin/reload}; null when the gateway has no file
     */
    public AdminChannelInitializer(PrometheusMeterRegistry registry, Supplier<String> unready, ProxyContext context,
                                   ConfigReloader reloader) {
        this.handler = new AdminHandler(registry, unready, context, reloader);
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channel.pipeline()
                .addLast("idle", new IdleStateHandler(0, 0, 60, TimeUnit.SECONDS) {
                    @Override
                    protected void channelIdle(io.netty.channel.ChannelHandlerContext ctx,
                                               io.netty.handler.timeout.IdleStateEvent evt) {
                        ctx.close();
                    }
                })
                .addLast("codec", new HttpServerCodec())
                .addLast("aggregator", new HttpObjectAggregator(MAX_ADMIN_REQUEST_BYTES))
                .addLast("admin", handler);
    }
}
