package io.infergate.sim;

import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.time.Duration;
import java.util.EnumSet;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** The command line: runs one simulator until SIGTERM or SIGINT. */
@Command(name = "upstream-sim", mixinStandardHelpOptions = true, version = "upstream-sim 0.1.0", sortOptions = false,
        description = "Simulates a TGI server as a Hugging Face Inference Endpoint serves it.%n"
                + "Durations: 250ms, 10s, 5m, 1h. Faults can also be changed at run time: POST/GET/DELETE /_sim/faults.")
public final class Main implements Callable<Integer> {

    @Option(names = "--port", description = "Port to listen on; 0 picks one (default: ${DEFAULT-VALUE}).")
    int port = 3000;

    @Option(names = "--host", description = "Address to listen on (default: ${DEFAULT-VALUE}).")
    String host = "0.0.0.0";

    @Option(names = "--model-id", description = "Served model id (default: ${DEFAULT-VALUE}).")
    String modelId = "meta-llama/Llama-3.1-8B-Instruct";

    @Option(names = "--max-batch", description = "Sequences generating at once (default: ${DEFAULT-VALUE}).")
    int maxBatch = 8;

    @Option(names = "--max-queue", description = "Requests waiting for a slot before 429 (default: ${DEFAULT-VALUE}).")
    int maxQueue = 64;

    @Option(names = "--tokens-per-second", description = "Per-sequence rate alone; 0 = no delay (default: ${DEFAULT-VALUE}).")
    double tokensPerSecond = 30;

    @Option(names = "--prefill-per-token", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Prefill time per prompt token, e.g. 1ms (default: 0).")
    Duration prefillPerToken = Duration.ZERO;

    @Option(names = "--batch-slowdown", description = "Per-sequence speed at full batch vs alone, 0<x<=1 (default: ${DEFAULT-VALUE}).")
    double batchSlowdown = 0.6;

    @Option(names = "--cold-start", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Model load time at start and after scale-to-zero (default: 0).")
    Duration coldStart = Duration.ZERO;

    @Option(names = "--cold-start-mode", paramLabel = "MODE", converter = ModeConverter.class,
            description = "hf-proxy, refuse or serverless (default: hf-proxy).")
    ColdStartMode coldStartMode = ColdStartMode.HF_PROXY;

    @Option(names = "--scale-to-zero-after", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Idle time before scaling to zero; 0 = never (default: 0).")
    Duration scaleToZeroAfter = Duration.ZERO;

    @Option(names = "--load-headers", split = ",", paramLabel = "orca|gpu", converter = LoadHeaderConverter.class,
            description = "Load reports to add to responses: orca, gpu (comma-separated).")
    List<LoadHeader> loadHeaders = List.of();

    @Option(names = "--flavor", converter = FlavorConverter.class, description = "tgi or vllm (default: tgi).")
    Flavor flavor = Flavor.TGI;

    @Option(names = "--seed", description = "Seed for the generated text and the fault dice (default: ${DEFAULT-VALUE}).")
    long seed = 42;

    @Option(names = "--keep-alive-interval", paramLabel = "DURATION", converter = DurationConverter.class,
            description = "Silence before a ':' comment on a stream (default: 15s).")
    Duration keepAliveInterval = Duration.ofSeconds(15);

    @Option(names = "--stamp-events", description = "Benchmarks: add \"sent_us\" (send time, epoch µs) to every stream event.")
    boolean stampEvents;

    @Option(names = "--io-threads", description = "Event loop threads (default: cores).")
    int ioThreads = Runtime.getRuntime().availableProcessors();

    @Option(names = "--error-rate", description = "Fault: share of requests answered 500, 0..1.")
    double errorRate;

    @Option(names = "--hang-before-head", description = "Fault: never answer.")
    boolean hangBeforeHead;

    @Option(names = "--stall-after-tokens", paramLabel = "N", description = "Fault: stop sending after N tokens.")
    Integer stallAfterTokens;

    @Option(names = "--reset-after-tokens", paramLabel = "N", description = "Fault: reset the connection after N tokens.")
    Integer resetAfterTokens;

    @Option(names = "--trickle", description = "Fault: send responses at one byte per second.")
    boolean trickle;

    @Option(names = "--malformed-http", description = "Fault: answer with an invalid status line.")
    boolean malformedHttp;

    @Option(names = "--invalid-json-event-after-tokens", paramLabel = "N",
            description = "Fault: one 'data: {not json' event after N tokens.")
    Integer invalidJsonEventAfterTokens;

    @Option(names = "--fault-count", paramLabel = "N", description = "Apply the faults to the next N requests only.")
    Integer faultCount;

    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "upstream-sim-logback.xml");
        }
        System.exit(new CommandLine(new Main()).execute(args));
    }

    UpstreamSim.Builder builder() {
        return UpstreamSim.builder()
                .host(host).port(port).modelId(modelId)
                .maxBatch(maxBatch).maxQueue(maxQueue)
                .tokensPerSecond(tokensPerSecond).prefillPerToken(prefillPerToken).batchSlowdown(batchSlowdown)
                .coldStart(coldStart, coldStartMode).scaleToZeroAfter(scaleToZeroAfter)
                .loadHeaders(loadHeaders.isEmpty() ? EnumSet.noneOf(LoadHeader.class) : EnumSet.copyOf(loadHeaders))
                .flavor(flavor).seed(seed).keepAliveInterval(keepAliveInterval).ioThreads(ioThreads).stampEvents(stampEvents)
                .faults(new Faults(errorRate, hangBeforeHead, stallAfterTokens, resetAfterTokens, trickle, malformedHttp,
                        invalidJsonEventAfterTokens, faultCount));
    }

    @Override
    public Integer call() throws Exception {
        UpstreamSim.Builder builder;
        try {
            builder = builder();
            builder.config();
        } catch (IllegalArgumentException e) {
            System.err.println("upstream-sim: " + e.getMessage());
            return 2;
        }
        UpstreamSim sim = builder.start();
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            sim.close();
            stopped.countDown();
        }, "upstream-sim-shutdown"));
        stopped.await();
        return 0;
    }

    static final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
        @Override
        public Duration convert(String value) {
            return DurationSyntax.parse(value);
        }
    }

    /** Enum values written in lower case with dashes: {@code hf-proxy}. */
    private static <E extends Enum<E>> E constant(Class<E> type, String value) {
        try {
            return Enum.valueOf(type, value.trim().toUpperCase(Locale.ROOT).replace('-', '_'));
        } catch (IllegalArgumentException e) {
            throw new CommandLine.TypeConversionException("'" + value + "' is not one of "
                    + EnumSet.allOf(type).stream().map(c -> c.name().toLowerCase(Locale.ROOT).replace('_', '-')).toList());
        }
    }

    static final class ModeConverter implements CommandLine.ITypeConverter<ColdStartMode> {
        @Override
        public ColdStartMode convert(String value) {
            return constant(ColdStartMode.class, value);
        }
    }

    static final class LoadHeaderConverter implements CommandLine.ITypeConverter<LoadHeader> {
        @Override
        public LoadHeader convert(String value) {
            return constant(LoadHeader.class, value);
        }
    }

    static final class FlavorConverter implements CommandLine.ITypeConverter<Flavor> {
        @Override
        public Flavor convert(String value) {
            return constant(Flavor.class, value);
        }
    }
}
