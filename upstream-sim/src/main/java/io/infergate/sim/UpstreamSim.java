package io.infergate.sim;

import io.netty.channel.EventLoopGroup;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;

/**
 * A running simulator of a TGI server behind a Hugging Face Inference Endpoint. Start one with
 * {@link #builder()}; {@link #close()} stops it.
 */
public final class UpstreamSim implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(UpstreamSim.class);

    private final SimContext sim;
    private final EventLoopGroup group;
    private final Listener listener;
    private final RefuseModeDriver driver;

    private UpstreamSim(SimConfig config) throws InterruptedException {
        this.sim = SimContext.create(config);
        Transport transport = Transport.best();
        this.group = transport.newGroup(config.ioThreads());
        SimChannelInitializer initializer = new SimChannelInitializer(new SimRouter(sim), config.ticker());
        this.listener = new Listener(transport, group, initializer, config.host(), config.port());
        try {
            listener.open();
            if (config.coldStartMode() == ColdStartMode.REFUSE && sim.coldStart().phase() != ColdStart.Phase.READY) {
                listener.shut(); // bound once to learn the port; refuses until the model is "loaded"
            }
        } catch (RuntimeException | InterruptedException e) {
            group.shutdownGracefully(0, 0, TimeUnit.SECONDS);
            throw e;
        }
        if (config.coldStartMode() == ColdStartMode.REFUSE) {
            this.driver = new RefuseModeDriver(sim.coldStart(), listener, Executors.newSingleThreadScheduledExecutor(r -> {
                Thread thread = new Thread(r, "upstream-sim-cold-start");
                thread.setDaemon(true);
                return thread;
            }));
            driver.start();
        } else {
            this.driver = null;
        }
        log.info("upstream-sim {} on port {} ({}, {} transport, batch {}, queue {}, {} tokens/s)", config.modelId(),
                port(), config.flavor(), transport.name(), config.maxBatch(), config.maxQueue(), config.tokensPerSecond());
    }

    public static Builder builder() {
        return new Builder();
    }

    public int port() {
        return listener.port();
    }

    /** The base URL, {@code http://127.0.0.1:PORT}. */
    public String url() {
        return "http://127.0.0.1:" + port();
    }

    public String modelId() {
        return sim.config().modelId();
    }

    /** Replaces the faults in force (as {@code POST /_sim/faults} does). */
    public void setFaults(Faults faults) {
        sim.faults().set(faults);
    }

    /** The faults still in force, with {@code count} set to the requests left. */
    public Faults faults() {
        return sim.faults().current();
    }

    public SimStats stats() {
        return sim.stats();
    }

    @Override
    public void close() {
        if (driver != null) {
            driver.close();
        }
        listener.shut();
        group.shutdownGracefully(0, 1, TimeUnit.SECONDS).awaitUninterruptibly(5, TimeUnit.SECONDS);
    }

    /** Settings for a simulator; every one has a default. */
    public static final class Builder {

        private String modelId = "meta-llama/Llama-3.1-8B-Instruct";
        private String host = "127.0.0.1";
        private int port;
        private int maxBatch = 8;
        private int maxQueue = 64;
        private double tokensPerSecond = 30;
        private Duration prefillPerToken = Duration.ZERO;
        private double batchSlowdown = 0.6;
        private Duration coldStart = Duration.ZERO;
        private ColdStartMode coldStartMode = ColdStartMode.HF_PROXY;
        private Duration scaleToZeroAfter = Duration.ZERO;
        private Set<LoadHeader> loadHeaders = EnumSet.noneOf(LoadHeader.class);
        private Flavor flavor = Flavor.TGI;
        private Faults faults = Faults.none();
        private long seed = 42;
        private Duration keepAliveInterval = Duration.ofSeconds(15);
        private boolean stampEvents;
        private int maxTotalTokens = 4096;
        private int defaultMaxNewTokens = 20;
        private int ioThreads = Math.min(4, Runtime.getRuntime().availableProcessors());
        private Ticker ticker = Ticker.SYSTEM;

        private Builder() {}

        /** The served model id ({@code /info}, {@code /v1/models}, the OpenAI routes' {@code model}). */
        public Builder modelId(String modelId) {
            this.modelId = modelId;
            return this;
        }

        /** The address to listen on; default 127.0.0.1. */
        public Builder host(String host) {
            this.host = host;
            return this;
        }

        /** The port; 0 (the default) picks a free one, see {@link UpstreamSim#port()}. */
        public Builder port(int port) {
            this.port = port;
            return this;
        }

        /** Sequences generating at once; default 8. */
        public Builder maxBatch(int maxBatch) {
            this.maxBatch = maxBatch;
            return this;
        }

        /** Requests waiting for a batch slot before the next is refused with 429; default 64. */
        public Builder maxQueue(int maxQueue) {
            this.maxQueue = maxQueue;
            return this;
        }

        /** Each sequence's token rate when running alone; 0: no delay at all (for benchmarks). Default 30. */
        public Builder tokensPerSecond(double tokensPerSecond) {
            this.tokensPerSecond = tokensPerSecond;
            return this;
        }

        /** Prefill time per prompt token, spent before the first token; default 0 (none). */
        public Builder prefillPerToken(Duration prefillPerToken) {
            this.prefillPerToken = prefillPerToken;
            return this;
        }

        /** A sequence's speed with a full batch relative to running alone, linear in between; default 0.6. */
        public Builder batchSlowdown(double batchSlowdown) {
            this.batchSlowdown = batchSlowdown;
            return this;
        }

        /** Load time at start and after each scale-to-zero, clients meeting the HF proxy meanwhile; default none. */
        public Builder coldStart(Duration loadTime) {
            return coldStart(loadTime, ColdStartMode.HF_PROXY);
        }

        /** Load time at start and after each scale-to-zero, and what clients see meanwhile; default none. */
        public Builder coldStart(Duration loadTime, ColdStartMode mode) {
            this.coldStart = loadTime;
            this.coldStartMode = mode;
            return this;
        }

        /** Idle time (no generation request in flight) after which the replica scales to zero; 0 (default): never. */
        public Builder scaleToZeroAfter(Duration idle) {
            this.scaleToZeroAfter = idle;
            return this;
        }

        public Builder loadHeaders(Set<LoadHeader> loadHeaders) {
            this.loadHeaders = loadHeaders;
            return this;
        }

        public Builder flavor(Flavor flavor) {
            this.flavor = flavor;
            return this;
        }

        public Builder faults(Faults faults) {
            this.faults = faults;
            return this;
        }

        /** Seeds the generated text and the fault dice; default 42. */
        public Builder seed(long seed) {
            this.seed = seed;
            return this;
        }

        /** Silence after which a stream gets a {@code :} comment; default 15 s, as axum. */
        public Builder keepAliveInterval(Duration interval) {
            this.keepAliveInterval = interval;
            return this;
        }

        /** The context size: prompt plus new tokens may not exceed it; default 4096. */
        public Builder maxTotalTokens(int maxTotalTokens) {
            this.maxTotalTokens = maxTotalTokens;
            return this;
        }

        /** {@code max_new_tokens} when a request leaves it out; default 20. */
        public Builder defaultMaxNewTokens(int tokens) {
            this.defaultMaxNewTokens = tokens;
            return this;
        }

        /** Event loop threads; default min(4, cores). */
        public Builder ioThreads(int ioThreads) {
            this.ioThreads = ioThreads;
            return this;
        }

        /**
         * Benchmarks only: every stream event carries {@code "sent_us"}, the wall-clock microseconds
         * when it was written, so a client on the same machine can measure each event's latency.
         */
        public Builder stampEvents(boolean stampEvents) {
            this.stampEvents = stampEvents;
            return this;
        }

        /** The clock for timing decisions (headers, cold start, scale-to-zero). */
        public Builder ticker(Ticker ticker) {
            this.ticker = ticker;
            return this;
        }

        SimConfig config() {
            return new SimConfig(modelId, host, port, maxBatch, maxQueue, tokensPerSecond, prefillPerToken,
                    batchSlowdown, coldStart, coldStartMode, scaleToZeroAfter, loadHeaders, flavor, faults, seed,
                    keepAliveInterval, maxTotalTokens, defaultMaxNewTokens, ioThreads, ticker, stampEvents);
        }

        public UpstreamSim start() throws InterruptedException {
            return new UpstreamSim(config());
        }
    }
}
