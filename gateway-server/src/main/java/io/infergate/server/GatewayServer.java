package io.infergate.server;

import io.infergate.server.exchange.ProxyContext;
import io.infergate.server.upstream.Transport;
import io.infergate.core.Ticker;
import io.infergate.core.config.GatewayConfig;
import io.infergate.core.config.ServerConfig;
import io.infergate.core.config.LoadConfig;
import io.infergate.core.job.JobClock;
import io.infergate.core.load.LoadReport;
import io.infergate.core.metrics.GatewayMetrics;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.tenant.TenantDirectory;
import io.infergate.core.upstream.Upstream;
import io.infergate.server.admin.AdminChannelInitializer;
import io.infergate.server.http.GatewayChannelInitializer;
import io.infergate.server.http.ShutdownCut;
import io.infergate.server.metrics.AccessLog;
import io.infergate.server.metrics.MicrometerGatewayMetrics;
import io.infergate.server.metrics.NettyMeters;
import io.infergate.server.upstream.ConnectionPools;
import io.infergate.server.jobs.JobMeters;
import io.infergate.server.jobs.Jobs;
import io.infergate.server.upstream.KeepWarm;
import io.infergate.server.upstream.LoadPoller;
import io.infergate.server.upstream.PoolSettings;
import io.infergate.server.upstream.TlsContexts;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
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
import io.netty.util.concurrent.Future;
import io.netty.util.concurrent.GlobalEventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.BiFunction;

/**
 * A running gateway: the proxy listener, the admin listener, and the event loops they share.
 * {@link #drain} is the graceful way out; {@link #close} the immediate one.
 */
public final class GatewayServer implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(GatewayServer.class);

    private static final LoadReport NO_REPORT = LoadReport.empty(LoadReport.Source.POLL, 0);

    /** How often the admission queues look again at deadlines and capacity (breakers, warming change it). */
    private static final Duration ADMISSION_TICK = Duration.ofMillis(100);

    /** Per-connection write buffer bounds: past the high mark the relay stops reading upstream. */
    private static final WriteBufferWaterMark WATER_MARK = new WriteBufferWaterMark(32 * 1024, 64 * 1024);

    /** Set on SIGTERM: /readyz fails from then on, before the listener stops. */
    private volatile boolean stopping;
    /** After the drain timeout, how long client connections get to end their streams before they close. */
    private static final Duration STREAM_END_GRACE = Duration.ofSeconds(1);

    private final EventLoopGroup group;
    private final ChannelGroup clients = new DefaultChannelGroup("clients", GlobalEventExecutor.INSTANCE);
    private final ProxyContext context;
    private final AccessLog accessLog;
    private final PrometheusMeterRegistry registry;
    private final Channel proxyChannel;
    private final Channel adminChannel;
    private final KeepWarm keepWarm;
    private final Jobs jobs;
    private final LoadPoller loadPoller;
    private final ScheduledFuture<?> admissionTicks;

    private GatewayServer(GatewayConfig config, Ticker ticker) throws InterruptedException {
        Transport transport = Transport.best();
        ServerConfig server = config.server();
        RouteTable routes = RouteTable.compile(config, ticker, transition -> log.info("breaker {}: {} -> {}",
                transition.endpoint(), transition.from(), transition.to()));
        TlsContexts tls = new TlsContexts();
        tls.prepare(routes.endpoints());
        this.registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new JvmGcMetrics().bindTo(registry);
        ConnectionPools pools = new ConnectionPools(transport, tls, ticker, PoolSettings.DEFAULTS);
        MicrometerGatewayMetrics metrics = new MicrometerGatewayMetrics(registry, routes);
        this.accessLog = openAccessLog(server);
        metrics.accessLog(accessLog);
        this.context = new ProxyContext(server, routes, TenantDirectory.of(config), pools, metrics, accessLog, ticker);
        this.jobs = config.jobs().enabled()
                ? new Jobs(config.jobs(), new JobClock(Clock.systemUTC(), ticker), this::port, new JobMeters(registry))
                : null;
        context.jobs(jobs);
        // One loop per core: a client and its upstream share a loop, so more loops only add switching.
        this.group = transport.newGroup(Runtime.getRuntime().availableProcessors());
        NettyMeters.bind(registry, group, clients);
        try {
            this.proxyChannel = bind(new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childOption(ChannelOption.AUTO_READ, false)
                    .childOption(ChannelOption.TCP_NODELAY, true)
                    .childOption(ChannelOption.ALLOCATOR, PooledByteBufAllocator.DEFAULT)
                    .childOption(ChannelOption.WRITE_BUFFER_WATER_MARK, WATER_MARK)
                    .childHandler(new GatewayChannelInitializer(context, clients)),
                    new InetSocketAddress(server.port()), ListenerBindException::proxy);
            this.adminChannel = bind(new ServerBootstrap()
                    .group(group)
                    .channel(transport.serverChannel())
                    .option(ChannelOption.SO_REUSEADDR, true)
                    .childHandler(new AdminChannelInitializer(registry, () -> !stopping && !context.draining(), routes, ticker)),
                    new InetSocketAddress(server.adminBind(), server.adminPort()), ListenerBindException::admin);
        } catch (RuntimeException | InterruptedException e) {
            // Closes the proxy listener too when the admin one failed, so its port is free when this returns.
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
            accessLog.close();
            throw e;
        }
        this.keepWarm = new KeepWarm(routes, group, pools);
        this.loadPoller = new LoadPoller(polls(routes), group, pools, ticker);
        this.admissionTicks = group.next().scheduleAtFixedRate(() -> tick(routes, metrics, ticker),
                ADMISSION_TICK.toNanos(), ADMISSION_TICK.toNanos(), TimeUnit.NANOSECONDS);
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

    private static AccessLog openAccessLog(ServerConfig server) {
        try {
            return AccessLog.open(server.accessLog());
        } catch (IOException e) {
            throw new UncheckedIOException("server.accessLog.file: cannot open " + server.accessLog().file() + ": " + e, e);
        }
    }

    /** Each upstream polled once, at the first route's settings that name it. */
    private static List<LoadPoller.Poll> polls(RouteTable routes) {
        List<LoadPoller.Poll> polls = new ArrayList<>();
        for (Route route : routes.routes()) {
            LoadConfig.Poll poll = route.loadConfig().poll();
            if (poll != null) {
                for (Upstream upstream : route.upstreams()) {
                    polls.add(new LoadPoller.Poll(upstream, poll.every(), poll.path(), poll.timeout()));
                }
            }
        }
        return polls;
    }

    /**
     * Concurrency limits end their windows; admission queues look again at deadlines and capacity;
     * queue depths and endpoint loads are sampled.
     */
    private static void tick(RouteTable routes, GatewayMetrics metrics, Ticker ticker) {
        for (Route route : routes.routes()) {
            if (route.limits() != null) {
                route.limits().update(route.loadConfig().staleAfter());
            }
            route.admission().onTick();
            route.admission().capacityChanged();
            metrics.queueDepth(route.name(), route.admission().queueDepth());
        }
        long now = ticker.nanoTime();
        for (Endpoint endpoint : routes.endpoints()) {
            metrics.upstreamLoad(endpoint.url().toString(), endpoint.load().current(now, routes.staleAfter(endpoint))
                    .orElse(NO_REPORT));
        }
    }

    public static GatewayServer start(GatewayConfig config) throws InterruptedException {
        return new GatewayServer(config, Ticker.SYSTEM);
    }

    public static GatewayServer start(GatewayConfig config, Ticker ticker) throws InterruptedException {
        return new GatewayServer(config, ticker);
    }

    public int port() {
        return ((InetSocketAddress) proxyChannel.localAddress()).getPort();
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
        log.info("draining: {} in flight, waiting up to {}", Counts.of(context.inFlight(), "request"), timeout);
        var drained = context.startDraining();
        proxyChannel.close().sync();
        boolean clean = true;
        try {
            drained.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            clean = false;
            log.warn("drain timeout: cutting {} still in flight", Counts.of(context.inFlight(), "request"));
            endStreams();
        } catch (java.util.concurrent.ExecutionException e) {
            throw new IllegalStateException(e);
        }
        close();
        return clean;
    }

    /**
     * Every client connection is told of the cut on its own loop, where a stream still running
     * writes its {@code shutdown} error event and final chunk; they are closed once all have acted,
     * or after {@link #STREAM_END_GRACE}.
     */
    private void endStreams() throws InterruptedException {
        List<Future<?>> told = new ArrayList<>();
        for (Channel client : clients) {
            told.add(ShutdownCut.tell(client));
        }
        long deadline = System.nanoTime() + STREAM_END_GRACE.toNanos();
        for (Future<?> future : told) {
            if (!future.await(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
                log.warn("drain timeout: not every stream could be ended with an error event in time");
                return;
            }
        }
    }

    @Override
    public void close() {
        keepWarm.close();
        loadPoller.close();
        if (jobs != null) {
            jobs.close();
        }
        admissionTicks.cancel(false);
        proxyChannel.close();
        adminChannel.close();
        clients.close().awaitUninterruptibly(5, TimeUnit.SECONDS);
        group.shutdownGracefully(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
        accessLog.close(); // after the loops, so every exchange they ended has its line
        registry.close();
    }
}
