package io.infergate.core.config;

import java.util.List;

/**
 * Binds a {@code timeouts:} map over a base, key by key: a route that gives only {@code firstByte}
 * keeps the defaults' others. Every timeout must be positive; {@code firstToken} is off unless given.
 */
final class TimeoutsBinder {

    static final List<String> KEYS = List.of("connect", "firstByte", "streamIdle", "total", "firstToken");

    private TimeoutsBinder() {}

    static Timeouts bind(ConfigNode timeouts, Timeouts base) {
        timeouts.checkMap(KEYS);
        return new Timeouts(
                timeouts.get("connect").positiveDuration(base.connect()),
                timeouts.get("firstByte").positiveDuration(base.firstByte()),
                timeouts.get("streamIdle").positiveDuration(base.streamIdle()),
                timeouts.get("total").positiveDuration(base.total()),
                timeouts.get("firstToken").positiveDuration(base.firstToken()));
    }
}
