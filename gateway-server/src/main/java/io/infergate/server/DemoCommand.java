package io.infergate.server;

import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.GatewayConfig;
import io.infergate.server.logging.ApplicationLog;
import io.infergate.sim.ColdStartMode;
import io.infergate.sim.LoadHeader;
import io.infergate.sim.UpstreamSim;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.EnumSet;
import java.util.Map;
import java.util.concurrent.Callable;

/**
 * The whole system in one process, with no Hugging Face account: a large, slow simulated model that
 * starts cold, a small fast one, and the gateway in front of both on the bundled {@code demo.yaml}.
 */
@Command(name = "demo", mixinStandardHelpOptions = true,
        description = "Runs the gateway in front of two simulated TGI endpoints (a large model with a cold start, "
                + "a small fast one) and prints what to try.")
final class DemoCommand implements Callable<Integer> {

    @Option(names = "--cold-start", paramLabel = "SECONDS",
            description = "How long the large model takes to load, in seconds (default: ${DEFAULT-VALUE}).")
    int coldStartSeconds = 8;

    @Option(names = "--port", paramLabel = "PORT", description = "Gateway port (default: ${DEFAULT-VALUE}).")
    int port = 8080;

    @Option(names = "--admin-port", paramLabel = "PORT", description = "Admin port (default: ${DEFAULT-VALUE}).")
    int adminPort = 9090;

    @Option(names = "--tls-cert", paramLabel = "FILE",
            description = "Serve https (HTTP/2 by ALPN, or HTTP/1.1) with this PEM certificate chain; needs --tls-key.")
    Path tlsCert;

    @Option(names = "--tls-key", paramLabel = "FILE", description = "The PEM (PKCS#8) private key for --tls-cert.")
    Path tlsKey;

    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    @Override
    public Integer call() throws Exception {
        if (coldStartSeconds < 0) {
            throw new CommandLine.ParameterException(spec.commandLine(),
                    "--cold-start: " + coldStartSeconds + " (expected: 0 or more seconds)");
        }
        if ((tlsCert == null) != (tlsKey == null)) {
            throw new CommandLine.ParameterException(spec.commandLine(), "--tls-cert and --tls-key go together");
        }
        try (UpstreamSim large = UpstreamSim.builder()
                     .modelId("meta-llama/Llama-3.3-70B-Instruct")
                     .tokensPerSecond(15).maxBatch(4).maxQueue(32)
                     .coldStart(Duration.ofSeconds(coldStartSeconds), ColdStartMode.HF_PROXY)
                     .loadHeaders(EnumSet.of(LoadHeader.ORCA, LoadHeader.GPU))
                     .start();
             UpstreamSim small = UpstreamSim.builder()
                     .modelId("meta-llama/Llama-3.2-3B-Instruct")
                     .tokensPerSecond(60).maxBatch(16).maxQueue(64)
                     .loadHeaders(EnumSet.of(LoadHeader.ORCA, LoadHeader.GPU))
                     .start()) {
            GatewayConfig config = ConfigLoader.load(withTls(bundledDemoConfig()), Map.of(
                    "LARGE_URL", large.url(), "SMALL_URL", small.url(),
                    "DEMO_PORT", Integer.toString(port), "DEMO_ADMIN_PORT", Integer.toString(adminPort),
                    "DEMO_TLS_CERT", String.valueOf(tlsCert), "DEMO_TLS_KEY", String.valueOf(tlsKey)));
            ApplicationLog.use(config.server().logFormat());
            GatewayServer server;
            try {
                server = GatewayServer.start(config);
            } catch (ListenerBindException e) {
                PrintWriter err = spec.commandLine().getErr();
                err.println("infergate: " + e.getMessage() + switch (e.key()) {
                    case "server.port" -> " (choose another with --port)";
                    case "server.adminPort" -> " (choose another with --admin-port)";
                    default -> "";
                });
                err.flush();
                return Main.EXIT_CANNOT_LISTEN;
            }
            printWhatToTry(spec.commandLine().getOut(), server);
            return Main.serveUntilTerminated(server, config.server());
        } catch (ConfigException e) {
            throw new IllegalStateException("the bundled demo config is invalid:\n" + e.getMessage(), e);
        }
    }

    /** The demo's config, with {@code server.tls} on the files given, when they are. */
    private String withTls(String yaml) {
        if (tlsCert == null) {
            return yaml;
        }
        return yaml.replaceFirst("\nserver:\n", "\nserver:\n  tls: { certFile: \"\\${DEMO_TLS_CERT}\", keyFile: \"\\${DEMO_TLS_KEY}\" }\n");
    }

    private static String bundledDemoConfig() {
        try (InputStream in = DemoCommand.class.getResourceAsStream("/demo.yaml")) {
            if (in == null) {
                throw new IllegalStateException("demo.yaml is missing from the jar");
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void printWhatToTry(PrintWriter out, GatewayServer server) {
        String gateway = (tlsCert == null ? "http" : "https") + "://localhost:" + server.port();
        String admin = "http://localhost:" + server.adminPort();
        out.printf("""

                Infergate demo
                  status   %2$s/   (open it: the live status page)
                  gateway  %1$s   (TGI and OpenAI-compatible API of a simulated Llama 70B)
                  small    %1$s/small/   (a simulated Llama 3B)
                  admin    %2$s   (/healthz, /readyz, /metrics, /admin/upstreams)

                The large model starts cold: for its first %3$d seconds requests wait for it (streams get
                heartbeats) while one probe a second reaches it; the status page shows it warming.
                The small one is its fallback (the X-Gateway-Fallback header says so). /small/ is the small
                model alone.

                Try:
                  curl -s %1$s/generate -H 'Content-Type: application/json' \\
                    -d '{"inputs": "What is deep learning?", "parameters": {"max_new_tokens": 20}}'

                  curl -N %1$s/v1/chat/completions -H 'Content-Type: application/json' \\
                    -d '{"model": "tgi", "stream": true, "messages": [{"role": "user", "content": "Hello"}]}'

                  curl -s %2$s/metrics | grep '^gateway_'

                Ctrl-C stops it.
                """, gateway, admin, coldStartSeconds);
        out.flush();
    }
}
