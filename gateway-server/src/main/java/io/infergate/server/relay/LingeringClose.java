package io.infergate.server.relay;

import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.socket.DuplexChannel;
import io.netty.handler.codec.http2.DefaultHttp2ResetFrame;
import io.netty.handler.codec.http2.Http2Error;
import io.netty.handler.codec.http2.Http2StreamChannel;

import java.util.concurrent.TimeUnit;

/**
 * Closes a client connection after an answer sent while the client may still be sending its
 * request (a refused head, a body too large or too slow). Closing a socket with unread input makes
 * the kernel send a reset, which can destroy the answer before the client reads it; so the gateway
 * first ends its own side, then reads and drops whatever still comes, until the client closes or
 * {@link #LINGER_MILLIS} pass. The request's bytes are never parsed again: the handler is closing.
 * <p>
 * An HTTP/2 stream lingers the same way: its answer has ended the gateway's side, and the rest of
 * the body is read (which keeps the client's window open) and dropped until the client ends its
 * side. A client still sending after {@link #LINGER_MILLIS} is asked to stop with
 * {@code RST_STREAM NO_ERROR}, as RFC 9113 §8.1 has it. Resetting at once would fail the upload of
 * clients such as curl 7.x, which then drop the answer; and Netty's own close would say
 * {@code CANCEL}, which tells any client that its complete answer failed.
 */
final class LingeringClose implements ChannelFutureListener {

    static final LingeringClose AFTER_WRITE = new LingeringClose();

    /** How long the rest of a refused request is read and dropped, as nginx's lingering_time. */
    static final long LINGER_MILLIS = 2000;

    private LingeringClose() {}

    @Override
    public void operationComplete(ChannelFuture written) {
        Channel channel = written.channel();
        if (written.isSuccess() && channel instanceof Http2StreamChannel stream && stream.isActive()) {
            stream.config().setAutoRead(true);
            stream.eventLoop().schedule(() -> askToStop(stream), LINGER_MILLIS, TimeUnit.MILLISECONDS);
            return;
        }
        if (!written.isSuccess() || !(channel instanceof DuplexChannel duplex) || !channel.isActive()) {
            channel.close();
            return;
        }
        duplex.shutdownOutput().addListener(ended -> {
            channel.config().setAutoRead(true);
            channel.eventLoop().schedule(() -> channel.close(), LINGER_MILLIS, TimeUnit.MILLISECONDS);
        });
    }

    /** A stream the client still sends on after the linger: {@code RST_STREAM NO_ERROR}, then it closes. */
    private static void askToStop(Http2StreamChannel stream) {
        if (stream.isActive()) {
            stream.writeAndFlush(new DefaultHttp2ResetFrame(Http2Error.NO_ERROR)).addListener(reset -> stream.close());
        }
    }
}
