package io.infergate.server.upstream;

import io.infergate.core.config.ServerConfig;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.IoHandlerFactory;
import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.epoll.EpollServerSocketChannel;
import io.netty.channel.epoll.EpollSocketChannel;
import io.netty.channel.nio.NioIoHandler;
import io.netty.channel.socket.ServerSocketChannel;
import io.netty.channel.socket.SocketChannel;
import io.netty.channel.socket.nio.NioServerSocketChannel;
import io.netty.channel.socket.nio.NioSocketChannel;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import io.netty.channel.uring.IoUringServerSocketChannel;
import io.netty.channel.uring.IoUringSocketChannel;
import java.util.function.Supplier;

/**
 * The event loops' way to the sockets; the same pipeline runs on each.
 * <p>
 * io_uring where the kernel allows it, else epoll, else the JDK's NIO. On io_uring a loop hands the
 * kernel its reads and writes in one batch per turn, where epoll costs a system call each; on a relay
 * that makes four of them per request, that is about 23 % less CPU per request (bench/RESULTS.md,
 * proxy run 19). Containers under Docker's default seccomp profile, and kernels with
 * {@code kernel.io_uring_disabled}, refuse io_uring; they get epoll.
 * <p>
 * One difference shows in the code: a write reaches the kernel only at the end of the loop's turn,
 * so a connection must close behind its last writes, never straight after them from outside
 * ({@link io.infergate.server.http.ClientClose}).
 */
public record Transport(
        String name,
        IoHandlerFactory ioHandlerFactory,
        Class<? extends ServerSocketChannel> serverChannel,
        Class<? extends SocketChannel> clientChannel) {

    /** Lettuce reads these once, when its first client is made; see {@link #steerRedisClient}. */
    private static final String LETTUCE_EPOLL = "io.lettuce.core.epoll";
    private static final String LETTUCE_IO_URING = "io.lettuce.core.iouring";

    /**
     * The transport asked for, or with {@code auto} io_uring, else epoll, else NIO.
     *
     * @throws Unavailable when the one asked for is not available here, saying why
     */
    public static Transport choose(ServerConfig.Transport wanted) {
        Transport transport = switch (wanted) {
            case AUTO -> IoUring.isAvailable() ? ioUring() : Epoll.isAvailable() ? epoll() : nio();
            case IO_URING ->
                    required("io_uring", IoUring.isAvailable(), IoUring.unavailabilityCause(), Transport::ioUring);
            case EPOLL -> required("epoll", Epoll.isAvailable(), Epoll.unavailabilityCause(), Transport::epoll);
            case NIO -> nio();
        };
        steerRedisClient(transport);
        return transport;
    }

    public EventLoopGroup newGroup(int threads) {
        return new MultiThreadIoEventLoopGroup(threads, ioHandlerFactory);
    }

    private static Transport required(String name, boolean available, Throwable cause, Supplier<Transport> transport) {
        if (!available) {
            throw new Unavailable(name, cause);
        }
        return transport.get();
    }

    private static Transport ioUring() {
        return new Transport("io_uring", IoUringIoHandler.newFactory(), IoUringServerSocketChannel.class,
                IoUringSocketChannel.class);
    }

    private static Transport epoll() {
        return new Transport("epoll", EpollIoHandler.newFactory(), EpollServerSocketChannel.class,
                EpollSocketChannel.class);
    }

    private static Transport nio() {
        return new Transport("nio", NioIoHandler.newFactory(), NioServerSocketChannel.class, NioSocketChannel.class);
    }

    /**
     * Lettuce, the shared store's client, prefers epoll over io_uring when both load. Its connections
     * live on the gateway's loops, which take only their own kind of channel, so it is told to make
     * the same choice, unless whoever started the JVM already told it something.
     */
    private static void steerRedisClient(Transport transport) {
        if (System.getProperty(LETTUCE_EPOLL) != null || System.getProperty(LETTUCE_IO_URING) != null) {
            return;
        }
        System.setProperty(LETTUCE_EPOLL, String.valueOf(transport.clientChannel == EpollSocketChannel.class));
        System.setProperty(LETTUCE_IO_URING, String.valueOf(transport.clientChannel == IoUringSocketChannel.class));
    }

    /** {@code server.transport} asks for one this platform does not have; the message says why, for an operator. */
    public static final class Unavailable extends RuntimeException {

        Unavailable(String name, Throwable cause) {
            super("server.transport: " + name + " is not available here ("
                    + (cause.getMessage() != null ? cause.getMessage() : cause) + "); "
                    + "leave the key out to take the default", cause, false, false);
        }
    }
}
