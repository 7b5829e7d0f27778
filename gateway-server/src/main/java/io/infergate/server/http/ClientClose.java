package io.infergate.server.http;

import io.netty.buffer.Unpooled;
import io.netty.channel.Channel;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.group.ChannelGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The last step of a drain: every client connection closes behind what was already written to it.
 * A close straight after a write fails that write on io_uring, which hands a loop turn's writes to
 * the kernel at its end (epoll writes at once). So each connection first queues an empty write at
 * the head of its pipeline, which completes only after everything queued before it, and closes
 * through its pipeline then (HTTP/2's codec says {@code GOAWAY} on the way). A connection whose
 * client reads nothing is closed outright after {@code grace}.
 */
public final class ClientClose {

    private ClientClose() {}

    public static void afterWrites(ChannelGroup clients, Duration grace) {
        List<Channel> closing = new ArrayList<>(clients);
        for (Channel client : closing) {
            client.eventLoop().execute(() -> {
                ChannelHandlerContext first = client.pipeline().firstContext();
                (first != null ? first.writeAndFlush(Unpooled.EMPTY_BUFFER) : client.newSucceededFuture())
                        .addListener(written -> client.close());
            });
        }
        try {
            allClosed(closing, grace);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt(); // what is left is closed outright below
        }
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Waits up to {@code grace} in all for every one of {@code channels} to close; whether all did. */
    static boolean allClosed(List<Channel> channels, Duration grace) throws InterruptedException {
        long deadline = System.nanoTime() + grace.toNanos();
        for (Channel channel : channels) {
            if (!channel.closeFuture().await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                return false;
            }
        }
        return true;
    }
}
