package io.infergate.server.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * One connection to the store and the client that makes it. Commands never wait for it: until the
 * first connection is made there is none, and once made Lettuce remakes it on its own after a drop,
 * rejecting commands meanwhile. The first is made again by the store's probe when it could not be.
 */
final class RedisLink {

    private static final Logger log = LoggerFactory.getLogger(RedisLink.class);

    private final RedisClient client;
    private final RedisURI uri;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile CompletableFuture<?> connecting;
    private volatile boolean closed;

    RedisLink(ClientResources resources, ClientOptions options, RedisURI uri) {
        this.client = RedisClient.create(resources);
        client.setOptions(options);
        this.uri = uri;
    }

    /** The connection, connected or being remade; null until the first one is made. */
    StatefulRedisConnection<String, String> connection() {
        return closed ? null : connection;
    }

    boolean connected() {
        StatefulRedisConnection<String, String> current = connection();
        return current != null && current.isOpen();
    }

    /** Makes the first connection, unless it is made or being made; completes when it is, or fails. */
    CompletableFuture<?> connect() {
        CompletableFuture<?> pending = connecting;
        if (connection != null || closed) {
            return CompletableFuture.completedFuture(null);
        }
        if (pending != null) {
            return pending;
        }
        CompletableFuture<Void> attempt = new CompletableFuture<>();
        connecting = attempt; // before the attempt, so that the probe never starts a second one
        client.connectAsync(StringCodec.UTF8, uri).whenComplete((made, error) -> {
            if (made != null && closed) {
                made.closeAsync();
            } else if (made != null) {
                connection = made;
            }
            connecting = null; // after the connection is kept, for the same reason
            if (error != null) {
                attempt.completeExceptionally(error);
            } else {
                attempt.complete(null);
            }
        });
        return attempt;
    }

    /**
     * Closes the client and its connection; their resources are their owner's to shut down. Waits a
     * bounded time: on a loop already shut down, the channel's close would never be told.
     */
    void close() {
        closed = true;
        try {
            client.shutdownAsync(0, 2, TimeUnit.SECONDS).get(3, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            log.warn("closing a connection to the shared store: {}", e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
