package io.infergate.server.reload;

import io.infergate.core.metrics.MeterNames;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;

import java.time.Clock;
import java.util.EnumMap;
import java.util.Map;

/** Reloads counted by outcome, and which file is served since when. */
public final class ReloadMeters {

    private final MeterRegistry registry;
    private final Clock clock;
    private final Map<ReloadOutcome.Kind, Counter> reloads = new EnumMap<>(ReloadOutcome.Kind.class);
    private Gauge loaded;

    /**
     * The reload meters, at zero. A gateway started from no file (the demo) serves a config it cannot
     * reload: its load time is labelled {@code sha256="none"}.
     */
    public static ReloadMeters register(MeterRegistry registry, Clock clock, boolean fromFile) {
        ReloadMeters meters = new ReloadMeters(registry, clock);
        if (!fromFile) {
            meters.loaded("none");
        }
        return meters;
    }

    private ReloadMeters(MeterRegistry registry, Clock clock) {
        this.registry = registry;
        this.clock = clock;
        for (ReloadOutcome.Kind kind : ReloadOutcome.Kind.values()) {
            reloads.put(kind, Counter.builder(MeterNames.CONFIG_RELOADS).description("Config reloads, by outcome")
                    .tag("outcome", kind.label()).register(registry));
        }
    }

    void counted(ReloadOutcome outcome) {
        reloads.get(outcome.kind()).increment();
    }

    /** The file whose text hashes to {@code sha256} is served from now on: one series, the file's. */
    synchronized void loaded(String sha256) {
        if (loaded != null) {
            registry.remove(loaded);
        }
        double seconds = clock.millis() / 1000.0;
        loaded = Gauge.builder(MeterNames.CONFIG_LOADED, () -> seconds)
                .description("When the config being served was loaded, in seconds since the epoch, by its file's hash")
                .tag("sha256", sha256).register(registry);
    }
}
