package io.infergate.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.Objects;

/**
 * A Redis that holds jobs and rate limits for every gateway configured with it.
 *
 * @param url            {@code redis://}, {@code rediss://} (TLS) or {@code redis-sentinel://}, with the
 *                       database as its path; never a password
 * @param password       read from the variable {@code passwordEnv}; null: none
 * @param connectTimeout the longest a connection (or a reconnection) may take
 * @param commandTimeout the longest one command may take before it counts as failed
 * @param keyPrefix      put before every key, so that several gateways (or other programs) can share the Redis
 * @param caFile         a PEM bundle of the CAs to trust over TLS; null: the JVM's default trust store
 */
public record RedisStoreConfig(URI url, String password, Duration connectTimeout, Duration commandTimeout,
                               String keyPrefix, String caFile) {

    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(2);
    public static final Duration DEFAULT_COMMAND_TIMEOUT = Duration.ofMillis(500);
    public static final String DEFAULT_KEY_PREFIX = "infergate:";

    public RedisStoreConfig {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        if (connectTimeout.isNegative() || connectTimeout.isZero() || commandTimeout.isNegative()
                || commandTimeout.isZero()) {
            throw new IllegalArgumentException("timeouts must be positive");
        }
    }

    /** Never shows the password. */
    @Override
    public String toString() {
        return "RedisStoreConfig[url=" + url + ", password=" + (password == null ? "none" : "set")
                + ", connectTimeout=" + connectTimeout + ", commandTimeout=" + commandTimeout
                + ", keyPrefix=" + keyPrefix + ", caFile=" + (caFile == null ? "default" : caFile) + "]";
    }
}
