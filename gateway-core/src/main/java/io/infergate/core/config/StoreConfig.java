package io.infergate.core.config;

import java.util.Objects;
import java.util.Optional;

/**
 * Where jobs and rate limits are kept: in this process (the default), or on a Redis that several
 * gateways share ({@code store.redis}).
 *
 * @param redis         the shared store; empty: in memory, per instance
 * @param onUnavailable what a rate-limited request gets while the shared store cannot be reached
 */
public record StoreConfig(Optional<RedisStoreConfig> redis, OnUnavailable onUnavailable) {

    public static final StoreConfig DEFAULTS = new StoreConfig(Optional.empty(), OnUnavailable.ALLOW);

    public StoreConfig {
        Objects.requireNonNull(redis, "redis");
        Objects.requireNonNull(onUnavailable, "onUnavailable");
    }

    /** Whether a request whose tenant's limit cannot be checked goes on ({@code allow}) or is refused ({@code deny}). */
    public enum OnUnavailable {
        ALLOW, DENY
    }
}
