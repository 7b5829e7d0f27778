package io.infergate.server.http;

import io.netty.channel.Channel;
import io.netty.channel.group.ChannelGroup;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What the client connections are told when the drain timeout has passed: an event stream still
 * running ends with a {@code shutdown} error event in its own dialect and a proper end of body, then
 * its connection closes behind it (on HTTP/2, after a {@code GOAWAY}); any other connection closes at
 * once. Told as a pipeline event on each connection's own loop, so that no exchange is registered
 * anywhere for it.
 */
public final class ShutdownCut {

    static final ShutdownCut EVENT = new ShutdownCut();

    private ShutdownCut() {}

    /**
     * Tells every connection, and waits up to {@code grace} for them all to close themselves. Each
     * closes only once its last writes have completed: on io_uring a write reaches the kernel at the
     * end of the loop's turn, so a close from outside right after would fail it.
     *
     * @return whether every connection had closed in time
     */
    public static boolean endAll(ChannelGroup clients, Duration grace) throws InterruptedException {
        List<Channel> told = new ArrayList<>(clients);
        for (Channel client : told) {
            client.eventLoop().execute(() -> client.pipeline().fireUserEventTriggered(EVENT));
        }
        return ClientClose.allClosed(told, grace);
    }
}
