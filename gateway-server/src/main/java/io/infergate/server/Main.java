package io.infergate.server;

import io.infergate.core.config.ServerConfig;
import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.GatewayConfig;
import io.infergate.server.http.ListenerTls;
import io.infergate.server.logging.ApplicationLog;
import io.infergate.server.upstream.Transport;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import sun.misc.Signal;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.Callable;

/**
 * The command line: {@code run} (the default), {@code check}, {@code demo}, {@code help}. Exit status
 * 0 when done, 1 for a config that is not valid, 2 when a listener cannot bind (and for a command
 * line picocli cannot parse).
 */
@Command(name = "infergate", mixinStandardHelpOptions = true, version = "infergate 0.1.0",
        description = "An inference gateway for Hugging Face endpoints.%n"
                + "With no command, runs the gateway (same as 'run').",
        subcommands = {Main.Run.class, Main.Check.class, DemoCommand.class, CommandLine.HelpCommand.class})
public final class Main implements Callable<Integer> {

    static final Path DEFAULT_CONFIG = Path.of("config", "gateway.yaml");

    /** The config is not valid. */
    static final int EXIT_INVALID_CONFIG = 1;
    /** A listener could not bind its address; the line printed names the config key. */
    static final int EXIT_CANNOT_LISTEN = 2;

    @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file (default: ${DEFAULT-VALUE}).")
    Path config = DEFAULT_CONFIG;

    /** Netty's leak detector level, read once when its first buffer is made. */
    static final String LEAK_DETECTION = "io.netty.leakDetection.level";

    public static void main(String[] args) {
        // Netty's sampling leak detector (a stack trace for one buffer in 128) costs 4-7 % of the
        // relay's throughput (bench/RESULTS.md, proxy run 11). Every test runs it at paranoid and
        // fails on a leak, so a running gateway leaves it off unless the command line asks for it.
        if (System.getProperty(LEAK_DETECTION) == null) {
            System.setProperty(LEAK_DETECTION, "disabled");
        }
        // 'run' returns only after the drain, so every command ends here with its exit status.
        System.exit(new CommandLine(new Main()).execute(args));
    }

    @Override
    public Integer call() throws Exception {
        return new Run(config).call();
    }

    /** Serves until SIGTERM or SIGINT, then shuts down: not ready for {@code shutdownDelay}, then the drain; the exit status. */
    static int serveUntilTerminated(GatewayServer server, ServerConfig config) throws InterruptedException {
        ShutdownSignals.onTerminate(() -> server.shutdown(config.shutdownDelay(), config.drainTimeout()));
        return ShutdownSignals.awaitTermination();
    }

    @Command(name = "run", mixinStandardHelpOptions = true, description = "Runs the gateway until SIGTERM or SIGINT, then drains.")
    static final class Run implements Callable<Integer> {

        @Option(names = {"-c", "--config"}, paramLabel = "FILE", description = "Config file (default: ${DEFAULT-VALUE}).")
        Path config = DEFAULT_CONFIG;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        Run() {}

        Run(Path config) {
            this.config = config;
        }

        @Override
        public Integer call() throws Exception {
            ConfigLoader.LoadedFile loaded;
            try {
                loaded = ConfigLoader.loadFile(config, System.getenv());
            } catch (ConfigException e) {
                System.err.println("infergate: " + config + " is not a valid config:");
                e.problems().forEach(p -> System.err.println("  " + p));
                return EXIT_INVALID_CONFIG;
            }
            ApplicationLog.use(loaded.config().server().logFormat());
            GatewayServer server;
            try {
                server = GatewayServer.start(new GatewayServer.ConfigSource(config, System.getenv(), loaded));
            } catch (ListenerBindException e) {
                System.err.println("infergate: " + e.getMessage());
                return EXIT_CANNOT_LISTEN;
            } catch (ListenerTls.ListenerTlsException | Transport.Unavailable e) {
                System.err.println("infergate: " + e.getMessage());
                return EXIT_INVALID_CONFIG;
            }
            // SIGHUP reloads the file, as POST /admin/reload does; the outcome is logged.
            Signal.handle(new Signal("HUP"), signal -> server.reloader().reload("SIGHUP"));
            return serveUntilTerminated(server, loaded.config().server());
        }
    }

    @Command(name = "check", mixinStandardHelpOptions = true,
            description = "Validates a config file: exits 0 when it is valid, 1 listing every problem.")
    static final class Check implements Callable<Integer> {

        @Parameters(paramLabel = "FILE", description = "The config file to check.")
        Path file;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        @Override
        public Integer call() {
            PrintWriter out = spec.commandLine().getOut();
            PrintWriter err = spec.commandLine().getErr();
            try {
                GatewayConfig config = ConfigLoader.load(file, System.getenv());
                out.printf("%s: valid (%s)%n", file, Counts.of(config.routes().size(), "route"));
                out.flush();
                return 0;
            } catch (ConfigException e) {
                err.printf("%s: %s%n", file, Counts.of(e.problems().size(), "problem"));
                e.problems().forEach(p -> err.println("  " + p));
                err.flush();
                return EXIT_INVALID_CONFIG;
            }
        }
    }
}
