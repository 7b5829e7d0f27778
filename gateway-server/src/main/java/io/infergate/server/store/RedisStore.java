package io.infergate.server.store;

import io.infergate.core.Ticker;
import io.infergate.core.config.RedisStoreConfig;
import io.infergate.core.store.StoreUnavailableException;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisBusyException;
import io.lettuce.core.RedisCommandExecutionException;
import io.lettuce.core.RedisFuture;
import io.lettuce.core.RedisLoadingException;
import io.lettuce.core.RedisNoScriptException;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.SslOptions;
import io.lettuce.core.StaticCredentialsProvider;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;

import java.io.File;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

/**
 * The connections to the shared Redis, and their health. Each gateway event loop has its own
 * ({@link LoopLinks}): a command sent from a loop goes out and comes back on that loop, its future
 * completing there. A command from any other thread (the jobs' timers, the probe) goes through one
 * shared connection on Lettuce's own threads. Commands never wait for a connection: while there is
 * none they fail at once, and a command that gets no answer within {@code commandTimeout} fails too;
 * either way with a {@link StoreUnavailableException}. Lettuce remakes each connection on its own,
 * after at most half a second; a probe every second keeps the health true to the store, and makes
 * any first connection that could not be made when the gateway started.
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
    private final RedisLink shared;
    private final LoopLinks loops;
    private final ScheduledFuture<?> probe;
    private volatile boolean closed;

    /** A store used through its shared connection alone. */
    RedisStore(RedisStoreConfig config, StoreHealth health, MeterRegistry registry, Ticker ticker) {
        this(config, health, registry, ticker, null, null);
    }

    /**
     * @param loops       the gateway's event loops, each to have a connection of its own; null: none
     * @param channelType the socket channel class those loops take
     */
    RedisStore(RedisStoreConfig config, StoreHealth health, MeterRegistry registry, Ticker ticker,
               EventLoopGroup loops, Class<? extends Channel> channelType) {
        this.config = config;
        this.ticker = ticker;
        this.meters = new StoreMeters(registry, this::isUp);
        this.health = health;
        RedisURI uri = uri(config);
        this.resources = StoreAddresses.resolverFor(uri, ClientResources.builder()).ioThreadPoolSize(2)
                .computationThreadPoolSize(1).reconnectDelay(RECONNECT).build();
        ClientOptions options = ClientOptions.builder()
                .sslOptions(sslOptions(config))
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .socketOptions(SocketOptions.builder().connectTimeout(config.connectTimeout()).build())
                .timeoutOptions(TimeoutOptions.enabled(config.commandTimeout()))
                .build();
        this.shared = new RedisLink(resources, options, uri);
        this.loops = loops == null ? LoopLinks.none() : LoopLinks.on(loops, channelType, resources, options, uri);
        this.probe = resources.eventExecutorGroup().scheduleAtFixedRate(this::probe, PROBE_EVERY.toMillis(),
                PROBE_EVERY.toMillis(), TimeUnit.MILLISECONDS);
    }

    /**
     * Over {@code rediss://}, trusts {@code caFile}'s CAs, else the JVM's; the host name is verified
     * either way (the URI's default). The handshake is bounded like the connection it is part of.
     */
    private static SslOptions sslOptions(RedisStoreConfig config) {
        SslOptions.Builder ssl = SslOptions.builder().jdkSslProvider().handshakeTimeout(config.connectTimeout());
        if (config.caFile() != null) {
            ssl.trustManager(new File(config.caFile()));
        }
        return ssl.build();
    }

    private static RedisURI uri(RedisStoreConfig config) {
        RedisURI uri = RedisURI.create(config.url().toString());
        uri.setTimeout(config.commandTimeout());
        if (config.password() != null) {
            // A user name in the URL (Redis ACLs) goes with the password; without one, Redis's default user.
            uri.setCredentialsProvider(new StaticCredentialsProvider(config.url().getUserInfo(),
                    config.password().toCharArray()));
        }
        return uri;
    }

    /** Connects, waiting at most {@code connectTimeout}; a gateway whose Redis is not there yet starts unready. */
    void connectNow() {
        CompletableFuture<?> first = CompletableFuture.allOf(connectShared(), loops.connect());
        try {
            first.get(config.connectTimeout().toMillis() + 500, TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            // Reported by the health's log; the probe tries again every second.
        }
    }

    /**
     * Whether the store can be used: the last command or probe, on any connection, was answered, and
     * every connection is connected. All reach the same Redis by the same route, so they disagree only
     * for the moments after a drop when one is connected again and another not yet; the store is up
     * only once all are, so /readyz never says ready while some loop's requests still cannot be
     * decided, and never turns back and forth meanwhile. A request whose loop's connection is down
     * fails at once, and {@code onUnavailable} decides it, whatever the health says.
     */
    public boolean isUp() {
        return health.isUp() && shared.connected() && loops.allConnected();
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
     * Sends one command, with its answer or with a {@link StoreUnavailableException}. Sent from a
     * gateway loop, it goes through that loop's connection and its future completes on that loop
     * (but for a timeout, which completes it on a Lettuce thread); sent from any other thread, it goes
     * through the shared connection and completes on a Lettuce thread. Its round trip is timed under {@code op}.
     */
    public <T> CompletableFuture<T> command(String op, Function<RedisAsyncCommands<String, String>, RedisFuture<T>> send) {
        RedisLink onLoop = loops.current();
        StatefulRedisConnection<String, String> current = (onLoop != null ? onLoop : shared).connection();
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

    /** Makes the shared connection, which tells the health whether Redis could be reached. */
    private CompletableFuture<?> connectShared() {
        return shared.connect().whenComplete((made, error) -> {
            if (error != null) {
                health.down(unwrap(error));
            } else {
                health.up();
            }
        });
    }

    /** Keeps the health true while nothing else is sent; makes the first connections the start could not. */
    private void probe() {
        if (closed) {
            return;
        }
        loops.connect();
        if (shared.connection() == null) {
            connectShared();
            return;
        }
        command("ping", RedisAsyncCommands::ping);
    }

    @Override
    public void close() {
        closed = true;
        probe.cancel(false);
        loops.close();
        shared.close();
        resources.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
    }
}
