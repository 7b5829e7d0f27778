package io.infergate.sim;

import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.socket.SocketChannel;
import io.netty.handler.codec.http.HttpObjectAggregator;
import io.netty.handler.codec.http.HttpServerCodec;

/** The connection pipeline: HTTP/1.1 codec, whole requests (TGI's 2 MB payload limit), the simulator. */
@ChannelHandler.Sharable
final class SimChannelInitializer extends ChannelInitializer<SocketChannel> {

    private static final int PAYLOAD_LIMIT = 2_000_000;

    private final SimRouter router;
    private final Ticker ticker;

    SimChannelInitializer(SimRouter router, Ticker ticker) {
        this.router = router;
        this.ticker = ticker;
    }

    @Override
    protected void initChannel(SocketChannel channel) {
        channel.pipeline()
                .addLast("codec", new HttpServerCodec())
                .addLast("aggregator", new HttpObjectAggregator(PAYLOAD_LIMIT))
                .addLast("sim", new SimConnectionHandler(router, ticker));
    }
}
