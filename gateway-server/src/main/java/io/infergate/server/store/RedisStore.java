package io.infergate.server.store;

import io.infergate.core.Ticker;
import io.infergate.core.config.RedisStoreConfig;
import io.infergate.core.store.StoreUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.StaticCredentialsProvider;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.codec.StringCodec;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.netty.util.concurrent.ScheduledFuture;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * One Lettuce connection to the shared Redis, used by every loop at once (Lettuce pipelines it), and
 * its health. Commands never wait for a connection: while there is none they fail at once, and a
 * command that gets no answer within {@code commandTimeout} fails too; either way with a
 * {@link StoreUnavailableException}. Lettuce reconnects on its own, after at most half a second; a
 * probe every second keeps {@link #isUp} true to the store, and makes the first connection if Redis
 * was not there when the gateway started.
 */
public final class RedisStore implements AutoCloseable {

    private static final Duration PROBE_EVERY = Duration.ofSeconds(1);
    private static final Delay RECONNECT = Delay.exponential(Duration.ofMillis(50), Duration.ofMillis(500), 2,
            TimeUnit.MILLISECONDS);

    private final RedisStoreConfig config;
    private final Ticker ticker;
    private final StoreMeters meters;
    private final StoreHealth health;
    private final ClientResources resources;
    private final RedisClient client;
    private final RedisURI uri;
    private final ScheduledFuture<?> probe;
    private volatile StatefulRedisConnection<String, String> connection;
    private volatile CompletableFuture<?> connecting;
    private volatile boolean closed;

    RedisStore(RedisStoreConfig config, StoreHealth health, StoreMeters meters, Ticker ticker) {
        this.config = config;
        this.ticker = ticker;
        this.meters = meters;
        this.health = health;
        this.resources = ClientResources.builder().ioThreadPoolSize(2).computationThreadPoolSize(1)
                .reconnectDelay(RECONNECT).build();
        this.uri = RedisURI.create(config.url().toString());
        uri.setTimeout(config.commandTimeout());
        if (config.password() != null) {
            // A user name in the URL (Redis ACLs) goes with the password; without one, Redis's default user.
            uri.setCredentialsProvider(new StaticCredentialsProvider(config.url().getUserInfo(),
                    config.password().toCharArray()));
        }
        this.client = RedisClient.create(resources);
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                .build());
        this.probe = resources.eventExecutorGroup().scheduleAtFixedRate(this::probe, PROBE_EVERY.toMillis(),
                PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /** Connects, waiting at most {@code connectTimeout}; a gateway whose Redis is not there yet starts unready. */
    void connectNow() {
        CompletableFuture<?> first = connect();
        try {
            first.get(config.connectTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Reported by the health's log; the probe tries again every second.
        }
    }

    public boolean isUp() {
        return health.isUp();
    }

    public StoreMeters meters() {
        return meters;
    }

    StoreHealth health() {
        return health;
    }

    public String keyPrefix() {
        return config.keyPrefix();
    }

    /**
     * Sends one command; the future completes on a Lettuce thread, with its answer or with a
     * {@link StoreUnavailableException}. Its round trip is timed under {@code op}.
     */
    public <T> CompletableFuture<T> command(String op, Function<RedisAsyncCommands<String, String>, RedisFuture<T>> send) {
        StatefulRedisConnection<String, String> current = connection;
        if (current == null || closed) {
            meters.notSent(op);
            return CompletableFuture.failedFuture(new StoreUnavailableException("not connected to the shared store",
                    null));
        }
        long start = ticker.nanoTime();
        CompletableFuture<T> result = new CompletableFuture<>();
        RedisFuture<T> sent;
        try {
            sent = send.apply(current.async());
        } catch (RuntimeException e) {
            failed(op, start, e, result);
            return result;
        }
        sent.whenComplete((value, error) -> {
            if (error == null) {
                meters.command(op, ticker.nanoTime() - start, true);
                health.up();
                result.complete(value);
            } else {
                failed(op, start, error, result);
            }
        });
        return result;
    }

    /** Runs a Lua script by its digest, sending its text only when Redis does not know it yet (after a restart). */
    public CompletableFuture<List<Object>> script(String op, Script script, String[] keys, String... args) {
        return this.<List<Object>>command(op, c -> c.evalsha(script.sha(), ScriptOutputType.MULTI, keys, args))
                .exceptionallyCompose(error -> unwrap(error).getCause() instanceof RedisNoScriptException
                        ? command(op, c -> c.eval(script.text(), ScriptOutputType.MULTI, keys, args))
                        : CompletableFuture.failedFuture(unwrap(error)));
    }

    private <T> void failed(String op, long start, Throwable error, CompletableFuture<T> result) {
        Throwable cause = unwrap(error);
        // Redis not knowing a script yet (after its restart) is the expected way to send its text: no error.
        meters.command(op, ticker.nanoTime() - start, cause instanceof RedisNoScriptException);
        boolean answered = cause instanceof RedisCommandExecutionException
                && !(cause instanceof RedisLoadingException) && !(cause instanceof RedisBusyException);
        if (!answered) {
            health.down(cause);
        }
        result.completeExceptionally(new StoreUnavailableException(op + ": " + StoreHealth.describe(cause), cause));
    }

    private static Throwable unwrap(Throwable error) {
        return error instanceof CompletionException && error.getCause() != null ? error.getCause() : error;
    }

    private CompletableFuture<?> connect() {
        CompletableFuture<StatefulRedisConnection<String, String>> attempt =
                client.connectAsync(StringCodec.UTF8, uri).toCompletableFuture();
        connecting = attempt;
        attempt.whenComplete((made, error) -> {
            connecting = null;
            if (error != null) {
                health.down(unwrap(error));
            } else if (closed) {
                made.closeAsync();
            } else {
                connection = made;
                health.up();
            }
        });
        return attempt;
    }

    /** Keeps the health true while nothing else is sent; makes the first connection when the start could not. */
    private void probe() {
        if (closed) {
            return;
        }
        if (connection == null) {
            if (connecting == null) {
                connect();
            }
            return;
        }
        command("ping", RedisAsyncCommands::ping);
    }

    @Override
    public void close() {
        closed = true;
        probe.cancel(false);
        StatefulRedisConnection<String, String> current = connection;
        if (current != null) {
            current.close();
        }
        client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
