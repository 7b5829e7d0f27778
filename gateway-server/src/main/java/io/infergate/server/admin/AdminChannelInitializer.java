package io.infergate.server.admin;

import io.infergate.core.Ticker;
import io.infergate.core.route.RouteTable;
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

    public AdminChannelInitializer(PrometheusMeterRegistry registry, Supplier<String> unready, RouteTable routes,
                                   Ticker ticker) {
        this.handler = new AdminHandler(registry, unready, routes, ticker);
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
