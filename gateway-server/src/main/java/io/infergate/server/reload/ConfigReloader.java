package io.infergate.server.reload;

import io.infergate.core.config.ConfigChanges;
import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.GatewayConfig;
import io.infergate.core.config.RestartOnly;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.file.Path;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Reloads the config file on request ({@code SIGHUP}, {@code POST /admin/reload}, the file
 * watcher), one reload at a time, on a thread of its own: never on an event loop, since it reads a
 * file and compiles routes.
 * <p>
 * A reload reads and validates the whole file first, then checks that it changes nothing that
 * needs a restart ({@link RestartOnly}), then readies what it needs (TLS contexts). Any problem
 * refuses it as a whole: the running config stays, the problems are logged and counted. Only then
 * are the routes and tenants swapped ({@link RoutingSwap}), which cannot fail half-way.
 */
public final class ConfigReloader implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ConfigReloader.class);

    private final Path file;
    private final Map<String, String> env;
    private final RoutingSwap swap;
    private final ReloadMeters meters;
    private final ExecutorService thread = Executors.newSingleThreadExecutor(runnable -> {
        Thread reloading = new Thread(runnable, "infergate-reload");
        reloading.setDaemon(true);
        return reloading;
    });
    private GatewayConfig running;
    private volatile Served served;

    /** The file being served: its hash, and when it was loaded. */
    public record Served(String sha256, Instant loadedAt) {}

    /** @param loaded the file as the gateway started from it */
    public ConfigReloader(Path file, Map<String, String> env, ConfigLoader.LoadedFile loaded, RoutingSwap swap,
                          ReloadMeters meters) {
        this.file = file;
        this.env = env;
        this.swap = swap;
        this.meters = meters;
        this.running = loaded.config();
        loaded(loaded.sha256());
    }

    /** The file being served now. */
    public Served served() {
        return served;
    }

    private void loaded(String sha256) {
        served = new Served(sha256, Instant.now());
        meters.loaded(sha256);
    }

    /** The file this gateway reloads. */
    public Path file() {
        return file;
    }

    /** Reloads on the reload thread; {@code trigger} says who asked, for the log. */
    public CompletableFuture<ReloadOutcome> reload(String trigger) {
        return CompletableFuture.supplyAsync(() -> reloadNow(trigger), thread);
    }

    private ReloadOutcome reloadNow(String trigger) {
        ReloadOutcome outcome = attempt();
        meters.counted(outcome);
        switch (outcome.kind()) {
            case APPLIED -> log.info("config reloaded ({}): {}", trigger, outcome.changes().summary());
            case UNCHANGED -> log.debug("config reload ({}): {} unchanged", trigger, file);
            case REFUSED -> log.warn("config reload ({}) refused, still serving the running config; {}:{}{}", trigger,
                    outcome.problems().size() == 1 ? "1 problem" : outcome.problems().size() + " problems", System.lineSeparator(),
                    String.join(System.lineSeparator(), outcome.problems().stream().map(p -> "  " + p).toList()));
        }
        return outcome;
    }

    private ReloadOutcome attempt() {
        ConfigLoader.LoadedFile loaded;
        try {
            loaded = ConfigLoader.loadFile(file, env);
        } catch (ConfigException e) {
            return ReloadOutcome.refused(e.problems(), null);
        }
        if (loaded.sha256().equals(served.sha256())) {
            return ReloadOutcome.unchanged(served.sha256());
        }
        GatewayConfig next = loaded.config();
        List<String> restart = RestartOnly.changes(running, next);
        if (!restart.isEmpty()) {
            return ReloadOutcome.refused(restart, loaded.sha256());
        }
        boolean same = next.equals(running);
        if (!same) {
            try {
                swap.prepare(next);
            } catch (RuntimeException e) {
                return ReloadOutcome.refused(List.of(String.valueOf(e.getMessage())), loaded.sha256());
            }
            swap.serve(next);
        }
        ConfigChanges changes = ConfigChanges.between(running, next);
        running = next;
        loaded(loaded.sha256()); // a file that changed in its comments only is still the one loaded
        return same ? ReloadOutcome.unchanged(loaded.sha256()) : ReloadOutcome.applied(changes, loaded.sha256());
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
