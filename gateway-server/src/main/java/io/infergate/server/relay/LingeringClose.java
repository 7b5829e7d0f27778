package io.infergate.server.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;

import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection after an answer sent while the client may still be sending its
 * request (a refused head, a body too large or too slow). Closing a socket with unread input makes
 * the kernel send a reset, which can destroy the answer before the client reads it; so the gateway
 * first ends its own side, then reads and drops whatever still comes, until the client closes or
 * {@link #LINGER_MILLIS} pass. The request's bytes are never parsed again: the handler is closing.
 */
final class LingeringClose implements ChannelFutureListener {

    static final LingeringClose AFTER_WRITE = new LingeringClose();

    /** How long the rest of a refused request is read and dropped, as nginx's lingering_time. */
    static final long LINGER_MILLIS = 2000;

    private LingeringClose() {}

    @Override
    public void operationComplete(ChannelFuture written) {
        Channel channel = written.channel();
        if (!written.isSuccess() || !(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
            channel.close();
            return;
        }
        duplex.shutdownOutput().addListener(ended -> {
            channel.config().setAutoRead(true);
            channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }
}
