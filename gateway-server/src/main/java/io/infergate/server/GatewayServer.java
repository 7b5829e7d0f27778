package io.infergate.server;

import io.infergate.server.exchange.ProxyContext;
import io.infergate.server.upstream.Transport;
import io.infergate.core.Ticker;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.GatewayConfig;
import io.infergate.core.config.ServerConfig;
import io.infergate.core.resilience.CircuitBreaker;
import io.infergate.core.route.RouteTable;
import io.infergate.core.route.Routing;
import io.infergate.core.tenant.TenantDirectory;
import io.infergate.server.admin.AdminChannelInitializer;
import io.infergate.server.http.ClientClose;
import io.infergate.server.http.GatewayChannelInitializer;
import io.infergate.server.http.ListenerTls;
import io.infergate.server.http.ShutdownCut;
import io.infergate.server.metrics.AccessLog;
import io.infergate.server.metrics.GatewayRegistry;
import io.infergate.server.metrics.MicrometerGatewayMetrics;
import io.infergate.server.metrics.NettyMeters;
import io.infergate.server.upstream.ConnectionPools;
import io.infergate.server.jobs.JobMeters;
import io.infergate.server.jobs.Jobs;
import io.infergate.server.reload.ConfigReloader;
import io.infergate.server.reload.ConfigWatcher;
import io.infergate.server.reload.ReloadMeters;
import io.infergate.server.reload.RouteUpkeep;
import io.infergate.server.reload.RoutingSwap;
import io.infergate.server.upstream.PoolSettings;
import io.infergate.server.upstream.TlsContexts;
import io.infergate.server.store.Stores;
import io.infergate.server.tracing.Tracing;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.bootstrap.ServerBootstrap;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.Channel;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelOption;
import io.netty.channel.EventLoopGroup;
import io.netty.channel.WriteBufferWaterMark;
import io.netty.channel.group.ChannelGroup;
import io.netty.channel.group.DefaultChannelGroup;
import io.netty.util.concurrent.GlobalEventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * A running gateway: the proxy listener, the admin listener, and the event loops they share.
 * {@link #drain} is the graceful way out; {@link #close} the immediate one.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    /** Per-connection write buffer bounds: past the high mark the relay stops reading upstream. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    /** Set on SIGTERM: /readyz fails from then on, before the listener stops. */
    private volatile boolean stopping;
    /** How long client connections get to close themselves behind their last writes, at the drain timeout and after. */
    private static final Duration STREAM_END_GRACE = Duration.ofSeconds(1);

    private final EventLoopGroup group;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final ProxyContext context;
    private final AccessLog accessLog;
    private final PrometheusMeterRegistry registry;
    private final Channel proxyChannel;
    private final Channel adminChannel;
    private final Jobs jobs;
    private final RouteUpkeep upkeep;
    private final ConfigReloader reloader;
    private final ConfigWatcher watcher;
    private final ListenerTls listenerTls; // null: plain HTTP
    private final Stores stores;
    private final Tracing tracing;

    /** @param source the file the config came from, for reloads; null: no reloads (the demo, tests) */
    private GatewayServer(GatewayConfig config, Ticker ticker, ConfigSource source) throws InterruptedException {
        ServerConfig server = config.server();
        Transport transport = Transport.choose(server.transport());
        Consumer<CircuitBreaker.Transition> onTransition = transition -> log.info("breaker {}: {} -> {}",
                transition.endpoint(), transition.from(), transition.to());
        RouteTable routes = RouteTable.compile(config, ticker, onTransition);
        TlsContexts tls = new TlsContexts();
        tls.prepare(routes.endpoints());
        this.tracing = Tracing.start(config.tracing());
        this.registry = GatewayRegistry.create(tracing.exemplars()); // with tracing, traces are the histograms' exemplars
        tracing.bindTo(registry);
        ConnectionPools pools = new ConnectionPools(transport, tls, ticker, PoolSettings.DEFAULTS);
        MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics(registry, routes);
        this.accessLog = AccessLog.openOrExplain(server.accessLog());
        metrics.accessLog(accessLog);
        // One loop per core: a client and its upstream share a loop, so more loops only add switching.
        this.group = transport.newGroup(Runtime.getRuntime().availableProcessors());
        this.stores = Stores.open(config.store(), registry, ticker, group, transport.clientChannel());
        this.context = new ProxyContext(server, new Routing(routes, TenantDirectory.of(config)), stores.rateLimits(), pools,
                metrics, accessLog, ticker);
        this.jobs = config.jobs().enabled() ? Jobs.open(config.jobs(), stores, ticker, this::port, context::routes,
                new JobMeters(registry, config.jobs().deadline())) : null;
        context.jobs(jobs);
        context.tracing(tracing);
        NettyMeters.bind(registry, group, clients);
        this.upkeep = new RouteUpkeep(routes, group, pools, metrics, ticker);
        ReloadMeters reloads = ReloadMeters.register(registry, Clock.systemUTC(), source != null);
        this.reloader = source == null ? null : new ConfigReloader(source.file(), source.env(), source.loaded(),
                new RoutingSwap(context, tls, metrics, upkeep, ticker, onTransition), reloads);
        try {
            this.listenerTls = server.tls() == null ? null : ListenerTls.start(server.tls(), group.next());
            this.proxyChannel = bind(new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childHandler(new GatewayChannelInitializer(context, clients, listenerTls)),
                    new InetSocketAddress(server.port()), ListenerBindException::proxy);
            this.adminChannel = bind(new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new AdminChannelInitializer(registry, // /readyz: why not ready, null when ready
                            () -> stopping || context.draining() ? "draining" : stores.unready(), context, reloader)),
                    new InetSocketAddress(server.adminBind(), server.adminPort()), ListenerBindException::admin);
            this.watcher = reloader != null && server.watchConfig() ? ConfigWatcher.start(reloader) : null;
        } catch (RuntimeException | InterruptedException e) {
            // Closes the proxy listener too when the admin one failed, so its port is free when this returns.
            upkeep.close();
            if (reloader != null) {
                reloader.close();
            }
            stores.close();
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            accessLog.close();
            tracing.close();
            throw e;
        }
        log.info("Infergate listening on port {} (admin {}:{}), {} transport, {}",
                port(), server.adminBind(), adminPort(), transport.name(), Counts.of(config.routes().size(), "route"));
    }

    /** Binds a listener, or says which config key to change: a port taken, an address not this host's. */
    private static Channel bind(ServerBootstrap bootstrap, InetSocketAddress address,
                                BiFunction<InetSocketAddress, Throwable, ListenerBindException> failure)
            throws InterruptedException {
        ChannelFuture bound = bootstrap.bind(address).await();
        if (!bound.isSuccess()) {
            throw failure.apply(address, bound.cause());
        }
        return bound.channel();
    }

    /** Where a config came from, so that it can be read again: the file, the environment, the text's hash. */
    public record ConfigSource(Path file, Map<String, String> env, ConfigLoader.LoadedFile loaded) {}

    /** A gateway that reloads its config from {@code source} on SIGHUP, {@code POST /admin/reload}, and a watch when asked. */
    public static GatewayServer start(ConfigSource source) throws InterruptedException {
        return new GatewayServer(source.loaded().config(), Ticker.SYSTEM, source);
    }

    public static GatewayServer start(GatewayConfig config) throws InterruptedException {
        return new GatewayServer(config, Ticker.SYSTEM, null);
    }

    public static GatewayServer start(GatewayConfig config, Ticker ticker) throws InterruptedException {
        return new GatewayServer(config, ticker, null);
    }

    /** Reloads the config file as SIGHUP does; null when the gateway was started from no file. */
    public ConfigReloader reloader() {
        return reloader;
    }

    /** The proxy port; 0 while the gateway is still starting. */
    public int port() {
        return proxyChannel == null ? 0 : ((InetSocketAddress) proxyChannel.localAddress()).getPort();
    }

    public int adminPort() {
        return ((InetSocketAddress) adminChannel.localAddress()).getPort();
    }

    public PrometheusMeterRegistry registry() {
        return registry;
    }

    /**
     * The way out on SIGTERM: readiness fails at once while new connections are still taken for
     * {@code delay} (a load balancer, a Kubernetes Service's endpoints, are still sending), then
     * the {@link #drain}.
     *
     * @return whether every in-flight exchange finished in time
     */
    public boolean shutdown(Duration delay, Duration drainTimeout) throws InterruptedException {
        stopping = true;
        if (!delay.isZero() && !delay.isNegative()) {
            log.info("shutting down: not ready, still accepting for {}", delay);
            Thread.sleep(delay.toMillis());
        }
        return drain(drainTimeout);
    }

    /**
     * Stops accepting, lets in-flight exchanges finish for up to {@code timeout} (their responses
     * say {@code Connection: close}), then closes every client connection and the event loops. An
     * event stream still running at the timeout first ends with a {@code shutdown} error event.
     *
     * @return whether every in-flight exchange finished in time
     */
    public boolean drain(Duration timeout) throws InterruptedException {
        var drained = context.startDraining();
        log.info("draining: {} in flight, waiting up to {}", Counts.of(context.inFlight(), "request"), timeout);
        proxyChannel.close().sync();
        boolean clean = true;
        try {
            drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            clean = false;
            log.warn("drain timeout: cutting {} still in flight", Counts.of(context.inFlight(), "request"));
            if (!ShutdownCut.endAll(clients, STREAM_END_GRACE)) {
                log.warn("drain timeout: not every connection could end its streams in time");
            }
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        close();
        return clean;
    }

    @Override
    public void close() {
        closeQuietly(watcher);
        closeQuietly(reloader);
        upkeep.close();
        closeQuietly(listenerTls);
        if (jobs != null) {
            jobs.close();
        }
        proxyChannel.close();
        adminChannel.close();
        ClientClose.afterWrites(clients, STREAM_END_GRACE);
        stores.close(); // before the loops: each has a connection to the store, closed on it
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        accessLog.close(); // after the loops, so every exchange they ended has its line
        tracing.close(); // after the loops: the last exchanges' spans are sent
        registry.close();
    }

    private static void closeQuietly(AutoCloseable closeable) {
        if (closeable == null) {
            return;
        }
        try {
            closeable.close();
        } catch (Exception e) {
            log.warn("closing {}: {}", closeable, e.toString());
        }
    }
}
