package io.infergate.server.http;

import io.infergate.core.upstream.Endpoint;
import io.infergate.server.upstream.ConnectionPool;
import io.infergate.server.upstream.UpstreamConnection;
import io.infergate.server.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.util.concurrent.Future;

/**
 * The current attempt's upstream connection, from its event loop's pool and back: read only while
 * the client keeps up, and returned to the pool only after a clean, complete exchange, since
 * anything else leaves it in an unknown state, so it closes. Separate so that the exchange moves
 * the bytes while this decides the connection's fate.
 */
final class UpstreamLink {

    private final ProxyContext context;
    private final EventLoop loop;
    private UpstreamConnection connection;
    /** Whether the whole request went up on this connection. */
    private boolean requestSent;
    /** Whether the upstream's response lets its connection be used again. */
    private boolean keepAlive;
    /** Whether a read of the upstream waits for the client to drain its buffer. */
    private boolean readPending;

    UpstreamLink(ProxyContext context, EventLoop loop) {
        this.context = context;
        this.loop = loop;
    }

    private ConnectionPool pool() {
        return context.pools().forLoop(loop);
    }

    Future<UpstreamConnection> acquire(Endpoint endpoint, UpstreamListener listener, long connectTimeoutMillis) {
        return pool().acquire(endpoint, listener, connectTimeoutMillis);
    }

    /** A connection that came after its attempt was over goes back unused. */
    void releaseUnused(UpstreamConnection late) {
        pool().release(late);
    }

    /** The attempt has its connection. */
    UpstreamConnection attach(UpstreamConnection acquired) {
        connection = acquired;
        return acquired;
    }

    boolean attached() {
        return connection != null;
    }

    Channel channel() {
        return connection.channel();
    }

    /** Whether request body can go straight on to the upstream. */
    boolean writable() {
        return connection != null && connection.channel().isWritable();
    }

    /** Pushes what was written on to the upstream. */
    void flush() {
        if (connection != null) {
            connection.channel().flush();
        }
    }

    void requestSent() {
        requestSent = true;
    }

    void keepAlive(boolean upstreamKeepsAlive) {
        keepAlive = upstreamKeepsAlive;
    }

    /** The client took a batch of the response: read on, or wait until it can take more. */
    void readOn(boolean clientWritable) {
        if (clientWritable) {
            connection.channel().read();
        } else {
            readPending = true;
        }
    }

    /** The client drained its buffer: resume reading the upstream if the relay was paused for it. */
    void clientDrained() {
        if (readPending) {
            readPending = false;
            connection.channel().read();
        }
    }

    /** The attempt is given up: its connection closes. */
    void discard() {
        if (connection != null) {
            pool().discard(connection);
            connection = null;
        }
        requestSent = false;
        readPending = false;
    }

    /** The exchange is over: the connection goes back to the pool after a clean, complete exchange, else closes. */
    void end(boolean upstreamComplete) {
        if (connection != null) {
            if (upstreamComplete && requestSent && keepAlive) {
                pool().release(connection);
            } else {
                pool().discard(connection);
            }
        }
    }
}
