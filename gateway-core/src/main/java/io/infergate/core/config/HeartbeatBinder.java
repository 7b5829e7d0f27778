package io.infergate.core.config;

import java.util.List;

/** Binds a {@code heartbeat:} map over a base, key by key, like {@link TimeoutsBinder}. */
final class HeartbeatBinder {

    static final List<String> KEYS = List.of("interval", "earlyHeaders");

    private HeartbeatBinder() {}

    static HeartbeatConfig bind(ConfigNode heartbeat, HeartbeatConfig base) {
        heartbeat.checkMap(KEYS);
        return new HeartbeatConfig(
                heartbeat.get("interval").positiveDuration(base.interval()),
                heartbeat.get("earlyHeaders").bool(base.earlyHeaders()));
    }
}
