package io.infergate.core.config;

import java.time.Duration;

/**
 * The listeners and the limits they enforce on clients.
 *
 * @param accessLog whether every request gets a JSON line on stdout (logger {@code infergate.access})
 */
public record ServerConfig(
        int port,
        int adminPort,
        String adminBind,
        long maxBodyBytes,
        int maxHeaderBytes,
        Duration drainTimeout,
        Duration idleTimeout,
        Duration headerTimeout,
        boolean accessLog) {

    public static final ServerConfig DEFAULTS = new ServerConfig(
            8080, 9090, "127.0.0.1", 10L * 1024 * 1024, 16 * 1024,
            Duration.ofSeconds(30), Duration.ofSeconds(60), Duration.ofSeconds(10), true);
}
