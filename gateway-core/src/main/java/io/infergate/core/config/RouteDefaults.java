package io.infergate.core.config;

/** Settings every route inherits unless it overrides them key by key. */
public record RouteDefaults(Timeouts timeouts, HeartbeatConfig heartbeat) {

    public static final RouteDefaults BUILTIN = new RouteDefaults(Timeouts.DEFAULTS, HeartbeatConfig.DEFAULTS);
}
