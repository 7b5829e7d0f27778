package io.infergate.core.config;

import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/** Binds {@code server:}; every key is optional and falls back to {@link ServerConfig#DEFAULTS}. */
final class ServerBinder {

    static final List<String> KEYS = List.of(
            "port", "adminPort", "adminBind", "maxBodyBytes", "maxHeaderBytes",
            "drainTimeout", "shutdownDelay", "idleTimeout", "headerTimeout", "bodyTimeout", "writeTimeout", "accessLog",
            "logFormat", "watchConfig", "tls", "http2", "transport");
    static final List<String> TLS_KEYS = List.of("certFile", "keyFile", "clientCaFile");
    static final List<String> HTTP2_KEYS = List.of("maxConcurrentStreams", "maxHeaderListBytes", "maxResets", "resetWindow");
    static final List<String> ACCESS_LOG_KEYS = List.of("enabled", "file", "queue");

    // 0 asks the OS for a free port: tests and side-by-side runs use it.
    private static final int MIN_PORT = 0;
    private static final int MAX_PORT = 65535;

    private ServerBinder() {}

    static ServerConfig bind(ConfigNode server) {
        ServerConfig d = ServerConfig.DEFAULTS;
        server.checkMap(KEYS);
        ConfigNode portNode = server.get("port");
        ConfigNode adminPortNode = server.get("adminPort");
        int port = portNode.integer(d.port(), MIN_PORT, MAX_PORT);
        int adminPort = adminPortNode.integer(d.adminPort(), MIN_PORT, MAX_PORT);
        if (port == adminPort && port != 0 && !portNode.hasProblem() && !adminPortNode.hasProblem()) {
            // Blame the key the user wrote: with one of them left at its default, that is the one to change.
            if (adminPortNode.isAbsent()) {
                portNode.report("must differ from server.adminPort (both are " + port + ")");
            } else {
                adminPortNode.report("must differ from server.port (both are " + port + ")");
            }
        }
        ConfigNode adminBindNode = server.get("adminBind");
        String adminBind = adminBindNode.string(d.adminBind());
        if (adminBind.isEmpty()) {
            adminBindNode.report("must not be empty");
        }
        return new ServerConfig(
                port,
                adminPort,
                adminBind,
                server.get("maxBodyBytes").byteSize(d.maxBodyBytes(), Long.MAX_VALUE),
                (int) server.get("maxHeaderBytes").byteSize(d.maxHeaderBytes(), Integer.MAX_VALUE),
                server.get("drainTimeout").duration(d.drainTimeout()),
                server.get("shutdownDelay").duration(d.shutdownDelay()),
                server.get("idleTimeout").duration(d.idleTimeout()),
                server.get("headerTimeout").duration(d.headerTimeout()),
                server.get("bodyTimeout").duration(d.bodyTimeout()),
                server.get("writeTimeout").duration(d.writeTimeout()),
                accessLog(server.get("accessLog"), d.accessLog()),
                oneOf(server.get("logFormat"), d.logFormat(), ServerConfig.LogFormat.values(), "a log format"),
                server.get("watchConfig").bool(d.watchConfig()),
                tls(server.get("tls")),
                http2(server.get("http2"), d.http2()),
                oneOf(server.get("transport"), d.transport(), ServerConfig.Transport.values(), "a transport"));
    }

    /** {@code accessLog: true|false}, or a map that can also name a file and size the queue. */
    private static AccessLogConfig accessLog(ConfigNode node, AccessLogConfig d) {
        if (!node.isMap()) {
            return new AccessLogConfig(node.bool(d.enabled()), d.file(), d.queue());
        }
        node.checkMap(ACCESS_LOG_KEYS);
        return new AccessLogConfig(
                node.get("enabled").bool(d.enabled()),
                file(node.get("file"), d.file()),
                node.get("queue").integer(d.queue(), 1, AccessLogConfig.MAX_QUEUE));
    }

    /** {@code http2: { maxConcurrentStreams, maxHeaderListBytes, maxResets, resetWindow }}, each optional. */
    private static Http2Config http2(ConfigNode node, Http2Config d) {
        if (node.isAbsent()) {
            return d;
        }
        node.checkMap(HTTP2_KEYS);
        return new Http2Config(
                node.get("maxConcurrentStreams").integer(d.maxConcurrentStreams(), 1, Integer.MAX_VALUE),
                (int) node.get("maxHeaderListBytes").byteSize(d.maxHeaderListBytes(), Integer.MAX_VALUE),
                node.get("maxResets").integer(d.maxResets(), 1, Integer.MAX_VALUE),
                node.get("resetWindow").positiveDuration(d.resetWindow()));
    }

    /** {@code tls: { certFile, keyFile, clientCaFile }}: the first two together, each a readable file. */
    private static ListenerTlsConfig tls(ConfigNode node) {
        if (node.isAbsent()) {
            return null;
        }
        node.checkMap(TLS_KEYS);
        Path cert = readable(node.get("certFile"), true);
        Path key = readable(node.get("keyFile"), true);
        Path clientCa = readable(node.get("clientCaFile"), false);
        return cert == null || key == null ? null : new ListenerTlsConfig(cert, key, clientCa);
    }

    /** A file the gateway reads; relative to the working directory. Whether it parses is found out at start. */
    private static Path readable(ConfigNode node, boolean required) {
        if (node.isAbsent()) {
            if (required) {
                node.report("is required with server.tls");
            }
            return null;
        }
        Path path = file(node, null);
        if (path != null && !Files.isReadable(path)) {
            node.report("cannot read " + path + (Files.exists(path) ? " (permission denied)" : " (no such file)"));
            return null;
        }
        return path;
    }

    /** A file to write to; whether it can be opened is found out at start, where it is opened. */
    private static Path file(ConfigNode node, Path fallback) {
        if (node.isAbsent()) {
            return fallback;
        }
        String text = node.requiredString();
        if (text == null) {
            return fallback;
        }
        try {
            return Path.of(text);
        } catch (InvalidPathException e) {
            node.report("is not a valid path (" + e.getReason() + ")"); // the text may hold the very character refused
            return fallback;
        }
    }

    /** One of {@code values} by its lower-case name, or the fallback with a problem listing them. */
    private static <E extends Enum<E>> E oneOf(ConfigNode node, E fallback, E[] values, String what) {
        String text = node.string(null);
        if (text == null) {
            return fallback;
        }
        List<String> names = new ArrayList<>();
        for (E value : values) {
            String name = value.name().toLowerCase(Locale.ROOT);
            if (name.equals(text)) {
                return value;
            }
            names.add(name);
        }
        String last = names.remove(names.size() - 1);
        node.report('"' + text + "\" is not " + what + " (expected: " + String.join(", ", names) + " or " + last + ")");
        return fallback;
    }
}
