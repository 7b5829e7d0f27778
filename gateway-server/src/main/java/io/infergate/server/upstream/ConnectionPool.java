package io.infergate.server.upstream;

import io.infergate.core.Ticker;
import io.infergate.core.error.GatewayError;
import io.infergate.core.upstream.Endpoint;
import io.infergate.server.wire.OwnHeaderNames;
import io.netty.bootstrap.Bootstrap;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelInitializer;
import io.netty.channel.ChannelOption;
import io.netty.channel.ConnectTimeoutException;
import io.netty.channel.ChannelPipeline;
import io.netty.channel.EventLoop;
import io.netty.handler.codec.http.HttpClientCodec;
import io.netty.handler.codec.http.HttpDecoderConfig;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslHandshakeTimeoutException;
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.Promise;

import javax.net.ssl.SSLException;
import java.util.ArrayDeque;
import java.util.Collection;
import java.util.IdentityHashMap;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Keep-alive connections to endpoints, for one event loop. Only that loop touches it, so it needs no
 * locks, and a client's exchange always gets an upstream channel on its own thread.
 */
public final class ConnectionPool {

    private static final int MAX_RESPONSE_HEADER_BYTES = 64 * 1024;

    private final EventLoop loop;
    private final Bootstrap bootstrap;
    private final TlsContexts tls;
    private final Ticker ticker;
    private final PoolSettings settings;
    private final Map<Endpoint, ArrayDeque<UpstreamConnection>> idle = new IdentityHashMap<>();

    ConnectionPool(EventLoop loop, Bootstrap template, TlsContexts tls, Ticker ticker, PoolSettings settings) {
        this.loop = loop;
        this.bootstrap = template.clone(loop);
        this.tls = tls;
        this.ticker = ticker;
        this.settings = settings;
    }

    /**
     * A connection leased to {@code listener}: an idle one when the pool has a live one, else a new
     * one, TCP and TLS both inside {@code connectTimeoutMillis}. Fails with the connect error.
     */
    public Future<UpstreamConnection> acquire(Endpoint endpoint, UpstreamListener listener, long connectTimeoutMillis) {
        UpstreamConnection pooled = pollIdle(endpoint);
        if (pooled != null) {
            pooled.lease(listener);
            return loop.newSucceededFuture(pooled);
        }
        return connect(endpoint, listener, connectTimeoutMillis);
    }

    /** Back to the pool for the next exchange; closed instead when it is dead, the pool full, or a reload removed its endpoint. */
    public void release(UpstreamConnection connection) {
        Channel channel = connection.channel();
        if (connection.endpoint().retired()) {
            discard(connection);
            return;
        }
        ArrayDeque<UpstreamConnection> deque = idle.computeIfAbsent(connection.endpoint(), e -> new ArrayDeque<>());
        if (!channel.isActive() || deque.size() >= settings.maxIdlePerEndpoint()) {
            discard(connection);
            return;
        }
        connection.park(ticker.nanoTime());
        deque.addLast(connection);
        // A read stays pending while idle so that a close, or a stray byte, is noticed at once.
        channel.read();
    }

    /** Closes the idle connections to endpoints a reload removed; those still leased close when released. */
    void closeIdle(Collection<Endpoint> retired) {
        for (Endpoint endpoint : retired) {
            ArrayDeque<UpstreamConnection> deque = idle.remove(endpoint);
            if (deque != null) {
                deque.forEach(this::discard);
            }
        }
    }

    /** Closes it: its state is unknown (cancelled or failed mid-exchange). */
    public void discard(UpstreamConnection connection) {
        connection.park(ticker.nanoTime());
        connection.channel().close();
    }

    /** What a failed {@link #acquire} means for the client: out of time, or refused outright. */
    public static GatewayError failureCause(Throwable connectFailure) {
        if (connectFailure instanceof ConnectTimeoutException || connectFailure instanceof SslHandshakeTimeoutException) {
            return GatewayError.CONNECT_TIMEOUT;
        }
        for (Throwable cause = connectFailure; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof SSLException) {
                return GatewayError.TLS_FAILED;
            }
        }
        return GatewayError.CONNECT_FAILED;
    }

    private UpstreamConnection pollIdle(Endpoint endpoint) {
        ArrayDeque<UpstreamConnection> deque = idle.get(endpoint);
        if (deque == null) {
            return null;
        }
        long now = ticker.nanoTime();
        UpstreamConnection candidate;
        // Most recently used first: it is the least likely to have been closed by the endpoint.
        while ((candidate = deque.pollLast()) != null) {
            if (candidate.channel().isActive() && now - candidate.idleSinceNanos() < settings.maxIdleNanos()) {
                return candidate;
            }
            candidate.channel().close();
        }
        return null;
    }

    private Future<UpstreamConnection> connect(Endpoint endpoint, UpstreamListener listener, long timeoutMillis) {
        Promise<UpstreamConnection> promise = loop.newPromise();
        long start = ticker.nanoTime();
        long deadline = start + TimeUnit.MILLISECONDS.toNanos(timeoutMillis);
        UpstreamHandler handler = new UpstreamHandler();
        ChannelFuture connected = bootstrap.clone()
                .option(ChannelOption.CONNECT_TIMEOUT_MILLIS, (int) Math.min(Integer.MAX_VALUE, timeoutMillis))
                .handler(new ChannelInitializer<>() {
                    @Override
                    protected void initChannel(Channel ch) {
                        ChannelPipeline p = ch.pipeline();
                        if (endpoint.url().secure()) {
                            SslHandler ssl = tls.newHandler(endpoint, ch.alloc());
                            ssl.setHandshakeTimeoutMillis(Math.max(1, TimeUnit.NANOSECONDS.toMillis(deadline - ticker.nanoTime())));
                            p.addLast("tls", ssl);
                        }
                        p.addLast("codec", new HttpClientCodec(new HttpDecoderConfig()
                                .setMaxHeaderSize(MAX_RESPONSE_HEADER_BYTES)
                                .setHeadersFactory(OwnHeaderNames.RESPONSE_HEADERS), false, false));
                        p.addLast("upstream", handler);
                    }
                })
                .connect(endpoint.url().socketHost(), endpoint.url().port());
        connected.addListener((ChannelFuture f) -> {
            if (!f.isSuccess()) {
                promise.tryFailure(f.cause());
                return;
            }
            UpstreamConnection connection = new UpstreamConnection(f.channel(), endpoint, handler);
            SslHandler ssl = f.channel().pipeline().get(SslHandler.class);
            if (ssl == null) {
                connection.opened(ticker.nanoTime() - start);
                leaseOrClose(connection, listener, promise);
            } else {
                ssl.handshakeFuture().addListener(h -> {
                    if (h.isSuccess()) {
                        connection.opened(ticker.nanoTime() - start);
                        leaseOrClose(connection, listener, promise);
                    } else {
                        f.channel().close();
                        promise.tryFailure(h.cause());
                    }
                });
            }
        });
        return promise;
    }

    private static void leaseOrClose(UpstreamConnection connection, UpstreamListener listener,
                                     Promise<UpstreamConnection> promise) {
        connection.lease(listener);
        if (!promise.trySuccess(connection)) {
            connection.park(0);
            connection.channel().close();
        }
    }
}
