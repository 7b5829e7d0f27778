package io.infergate.server.http;

import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

/**
 * What a client connection is told when the drain timeout has passed, before it is closed: an event
 * stream still running ends with a {@code shutdown} error event in its own dialect and a proper end
 * of body; anything else in flight is closed with the connection, as before. Told as a pipeline
 * event on the connection's own loop, so that no exchange is registered anywhere for it.
 */
public final class ShutdownCut {

    static final ShutdownCut EVENT = new ShutdownCut();

    private ShutdownCut() {}

    /** Tells {@code client}; the future completes once its handlers have acted on it. */
    public static Future<?> tell(Channel client) {
        return client.eventLoop().submit(() -> client.pipeline().fireUserEventTriggered(EVENT));
    }
}
