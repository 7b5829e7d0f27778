package io.infergate.core.config;

import java.time.Duration;
import java.util.Locale;
import java.util.Objects;

/**
 * The listeners and the limits they enforce on clients.
 *
 * @param shutdownDelay on SIGTERM, how long the gateway says it is not ready but still takes new
 *                      connections, before its drain begins: the time a load balancer or a
 *                      Kubernetes Service needs to stop sending it traffic
 * @param bodyTimeout  how long a client may take to send its whole request body, from its head
 * @param writeTimeout how long a client may leave the gateway unable to write to it (its buffer full)
 *                     before the response is cut: a slow reader's, not the upstream's, fault
 * @param accessLog    whether every request gets a JSON line, and where it goes
 * @param logFormat    how the application log (stderr) writes its lines; the access log keeps its own form
 * @param watchConfig  whether the config file is reloaded when it changes (it always is on SIGHUP and
 *                     {@code POST /admin/reload})
 * @param tls          TLS on the client listener; null: plain HTTP
 * @param http2        the limits on HTTP/2 connections
 * @param transport    which of the platform's socket interfaces the event loops use
 */
public record ServerConfig(
        int port,
        int adminPort,
        String adminBind,
        long maxBodyBytes,
        int maxHeaderBytes,
        Duration drainTimeout,
        Duration shutdownDelay,
        Duration idleTimeout,
        Duration headerTimeout,
        Duration bodyTimeout,
        Duration writeTimeout,
        AccessLogConfig accessLog,
        LogFormat logFormat,
        boolean watchConfig,
        ListenerTlsConfig tls,
        Http2Config http2,
        Transport transport) {

    public static final ServerConfig DEFAULTS = new ServerConfig(
            8080, 9090, "127.0.0.1", 10L * 1024 * 1024, 16 * 1024,
            Duration.ofSeconds(30), Duration.ZERO, Duration.ofSeconds(60), Duration.ofSeconds(10),
            Duration.ofSeconds(60), Duration.ofSeconds(30), AccessLogConfig.DEFAULTS, LogFormat.TEXT, false, null,
            Http2Config.DEFAULTS, Transport.AUTO);

    public ServerConfig {
        Objects.requireNonNull(logFormat, "logFormat");
        Objects.requireNonNull(http2, "http2");
        Objects.requireNonNull(transport, "transport");
    }

    /** The application log's form: a line of text per event, or one JSON object per line. */
    public enum LogFormat {
        TEXT, JSON;

        /** The value as the config file spells it. */
        public String configName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /**
     * The event loops' way to the sockets: {@code auto} takes Linux's io_uring where the kernel allows
     * it, else epoll, else the JDK's NIO; the others ask for one and refuse to start without it.
     */
    public enum Transport {
        AUTO, IO_URING, EPOLL, NIO
    }
}
