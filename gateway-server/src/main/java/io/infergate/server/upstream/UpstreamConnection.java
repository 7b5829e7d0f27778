package io.infergate.server.upstream;

import io.infergate.core.upstream.Endpoint;
import io.netty.channel.Channel;

/** A connection to one endpoint, held by one exchange at a time. */
public final class UpstreamConnection {

    private final Channel channel;
    private final Endpoint endpoint;
    private final UpstreamHandler handler;
    private long idleSinceNanos;
    private long connectNanos;
    private int uses;

    UpstreamConnection(Channel channel, Endpoint endpoint, UpstreamHandler handler) {
        this.channel = channel;
        this.endpoint = endpoint;
        this.handler = handler;
    }

    public Channel channel() {
        return channel;
    }

    public Endpoint endpoint() {
        return endpoint;
    }

    /** How many exchanges used this connection before the current one. */
    public int reuses() {
        return uses - 1;
    }

    /** How long it took to open: TCP connect and, for TLS, the handshake. */
    public long connectNanos() {
        return connectNanos;
    }

    void opened(long nanos) {
        connectNanos = nanos;
    }

    void lease(UpstreamListener listener) {
        uses++;
        handler.attach(listener);
    }

    void park(long nowNanos) {
        handler.detach();
        idleSinceNanos = nowNanos;
    }

    long idleSinceNanos() {
        return idleSinceNanos;
    }
}
