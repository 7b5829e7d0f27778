package io.infergate.core.config;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;

/**
 * One endpoint's base URL, taken apart once: scheme, host, port and a base path that is put in
 * front of every forwarded path ({@code https://host/models/x} forwards {@code /generate} as
 * {@code /models/x/generate}).
 */
public final class EndpointUrl {

    private final boolean secure;
    private final String host;
    private final int port;
    private final String basePath;
    /** Built once: every attempt sends the one and every meter and log line names the other. */
    private final String hostHeader;
    private final String text;

    public EndpointUrl(boolean secure, String host, int port, String basePath) {
        if (host == null || host.isEmpty()) {
            throw new IllegalArgumentException("host: must not be empty");
        }
        if (port < 1 || port > 65535) {
            throw new IllegalArgumentException("port: " + port + " (expected: 1-65535)");
        }
        if (!basePath.isEmpty() && (!basePath.startsWith("/") || basePath.endsWith("/"))) {
            throw new IllegalArgumentException("basePath: " + basePath + " (expected: empty or /path without trailing /)");
        }
        this.secure = secure;
        this.host = host;
        this.port = port;
        this.basePath = basePath;
        boolean defaultPort = secure ? port == 443 : port == 80;
        String h = host.indexOf(':') >= 0 && !host.startsWith("[") ? "[" + host + "]" : host;
        this.hostHeader = defaultPort ? h : h + ":" + port;
        this.text = (secure ? "https://" : "http://") + hostHeader + basePath;
    }

    public boolean secure() {
        return secure;
    }

    public String host() {
        return host;
    }

    public int port() {
        return port;
    }

    public String basePath() {
        return basePath;
    }

    /**
     * Parses an absolute http(s) URL without query or fragment.
     *
     * @throws IllegalArgumentException naming what is wrong with the text
     */
    public static EndpointUrl parse(String text) {
        URI uri;
        try {
            uri = new URI(text);
        } catch (URISyntaxException e) {
            throw notAnUrl(text);
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || !(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw notAnUrl(text);
        }
        if (uri.getRawQuery() != null || uri.getRawFragment() != null || uri.getRawUserInfo() != null) {
            throw new IllegalArgumentException('"' + text + "\" must not carry user info, a query or a fragment");
        }
        boolean secure = scheme.equals("https");
        int port = uri.getPort() == -1 ? (secure ? 443 : 80) : uri.getPort();
        String path = uri.getRawPath() == null ? "" : uri.getRawPath();
        while (path.endsWith("/")) {
            path = path.substring(0, path.length() - 1);
        }
        return new EndpointUrl(secure, uri.getHost(), port, path);
    }

    private static IllegalArgumentException notAnUrl(String text) {
        return new IllegalArgumentException('"' + text + "\" is not an absolute http(s) URL");
    }

    /** The value of the {@code Host} header for this endpoint: the port only when it is not the scheme's default. */
    public String hostHeader() {
        return hostHeader;
    }

    /** Host name without IPv6 brackets, as sockets and SNI want it. */
    public String socketHost() {
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof EndpointUrl that && secure == that.secure && port == that.port
                && host.equals(that.host) && basePath.equals(that.basePath);
    }

    @Override
    public int hashCode() {
        return Objects.hash(secure, host, port, basePath);
    }

    @Override
    public String toString() {
        return text;
    }
}
