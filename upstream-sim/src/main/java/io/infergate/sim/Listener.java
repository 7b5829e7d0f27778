package io.infergate.sim;

import io.netty.bootstrap.ServerBootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.channel.socket.SocketChannel;
import io.netty.util.concurrent.GlobalEventExecutor;

import java.net.InetSocketAddress;

/**
 * The listening socket, which can be closed and reopened on the same port: that is how the
 * {@link ColdStartMode#REFUSE} mode refuses connections while loading.
 */
final class Listener {

    private final ServerBootstrap bootstrap;
    private final String host;
    private final ChannelGroup connections = new DefaultChannelGroup("sim-connections", GlobalEventExecutor.INSTANCE);
    private int port;
    private Channel server;

    Listener(Transport transport, EventLoopGroup group, ChannelInitializer<SocketChannel> initializer, String host,
             int port) {
        this.host = host;
        this.port = port;
        this.bootstrap = new ServerBootstrap()
                .group(group)
                .channel(transport.serverChannel())
                .option(ChannelOption.SO_REUSEADDR, true)
                .childOption(ChannelOption.TCP_NODELAY, true)
                .childHandler(new ChannelInitializer<SocketChannel>() {
                    @Override
                    protected void initChannel(SocketChannel channel) {
                        connections.add(channel);
                        channel.pipeline().addLast(initializer);
                    }
                });
    }

    /** Opens the socket; the first call with port 0 picks the port every later call reuses. */
    synchronized void open() throws InterruptedException {
        if (server != null) {
            return;
        }
        server = bootstrap.bind(host, port).sync().channel();
        port = ((InetSocketAddress) server.localAddress()).getPort();
    }

    /** Closes the socket and every connection it accepted, as a restarting server does. */
    synchronized void shut() {
        if (server != null) {
            server.close().awaitUninterruptibly();
            server = null;
        }
        connections.close().awaitUninterruptibly();
    }

    synchronized boolean isOpen() {
        return server != null;
    }

    synchronized int port() {
        return port;
    }
}
