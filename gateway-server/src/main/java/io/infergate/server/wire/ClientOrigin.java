package io.infergate.server.wire;

import io.netty.channel.Channel;
import io.netty.handler.codec.http2.Http2StreamChannel;
import io.netty.handler.ssl.SslHandler;

import java.net.InetSocketAddress;

/**
 * Where a client's requests come from, as the forwarding headers tell the upstream: its address and
 * the scheme it spoke. Both are fixed for the connection's life, so they are read once, when it opens.
 */
public record ClientOrigin(String address, String scheme) {

    /** The origin of a connection, or of an HTTP/2 stream (whose connection is its parent). */
    public static ClientOrigin of(Channel channel) {
        Channel connection = channel instanceof Http2StreamChannel stream ? stream.parent() : channel;
        String address = connection.remoteAddress() instanceof InetSocketAddress socket
                ? socket.getAddress().getHostAddress() : "unknown";
        return new ClientOrigin(address, connection.pipeline().get(SslHandler.class) != null ? "https" : "http");
    }
}
