package io.infergate.core.config;

import java.util.List;

/** Binds an upstream's {@code coldStart:} map over the defaults, key by key. */
final class ColdStartBinder {

    static final List<String> KEYS = List.of("scaleToZero", "probeEvery", "maxHold", "scaleUpTimeoutHeader", "keepWarm");
    static final List<String> KEEP_WARM_KEYS = List.of("every", "path");

    private ColdStartBinder() {}

    static ColdStartConfig bind(ConfigNode coldStart) {
        ColdStartConfig base = ColdStartConfig.DEFAULTS;
        if (coldStart.isAbsent() || !coldStart.checkMap(KEYS)) {
            return base;
        }
        return new ColdStartConfig(
                coldStart.get("scaleToZero").bool(base.scaleToZero()),
                coldStart.get("probeEvery").positiveDuration(base.probeEvery()),
                coldStart.get("maxHold").duration(base.maxHold()),
                coldStart.get("scaleUpTimeoutHeader").bool(base.scaleUpTimeoutHeader()),
                keepWarm(coldStart.get("keepWarm")));
    }

    private static ColdStartConfig.KeepWarm keepWarm(ConfigNode keepWarm) {
        if (keepWarm.isAbsent() || !keepWarm.checkMap(KEEP_WARM_KEYS)) {
            return null;
        }
        ConfigNode everyNode = keepWarm.get("every");
        if (everyNode.isAbsent()) {
            everyNode.report("required");
            return null;
        }
        String path = keepWarm.get("path").string("/health");
        if (!path.startsWith("/")) {
            keepWarm.get("path").report('"' + path + "\" must start with /");
            return null;
        }
        return new ColdStartConfig.KeepWarm(everyNode.positiveDuration(null), path);
    }
}
