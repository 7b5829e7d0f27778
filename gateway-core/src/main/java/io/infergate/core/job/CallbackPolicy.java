package io.infergate.core.job;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Which callback URLs the gateway may POST to: those under one of {@code jobs.callbackAllow}.
 * Without it a client could have the gateway call anything the gateway can reach (server-side
 * request forgery), so nothing is allowed by default.
 * <p>
 * URLs are compared taken apart, never as text: the scheme, the host (in lower case) and the port
 * (the scheme's default when none is written) must be the prefix's, and the path must be the
 * prefix's path or go on below it at a {@code /}. So with the prefix {@code http://hooks.example.com}
 * neither {@code http://hooks.example.com@evil.example/} (user info, refused outright; the host is
 * evil.example) nor {@code http://hooks.example.com.evil.example/} is allowed, and the prefix
 * {@code https://h/hooks} does not allow {@code https://h/hooksevil}. Dot segments are resolved
 * first, and a path with an encoded dot, slash or backslash is refused, so {@code /hooks/../admin}
 * cannot pass as being under {@code /hooks}. The URL to call is the one {@link #check} returns.
 */
public final class CallbackPolicy {

    /** Allows nothing: the default. */
    public static final CallbackPolicy NONE = new CallbackPolicy(List.of());

    private static final Pattern ENCODED_SEPARATOR = Pattern.compile("(?i)%(2e|2f|5c)");

    /** An absolute http(s) URL taken apart; the path is never empty. */
    private record Parts(String scheme, String host, int port, String path, URI uri) {}

    private final List<Parts> prefixes;

    /** @throws IllegalArgumentException naming the first prefix that is not an absolute http(s) URL */
    public CallbackPolicy(List<String> allowPrefixes) {
        List<Parts> parsed = new ArrayList<>(allowPrefixes.size());
        for (String prefix : allowPrefixes) {
            parsed.add(parsePrefix(prefix));
        }
        this.prefixes = List.copyOf(parsed);
    }

    /**
     * Checks one allow-list entry.
     *
     * @throws IllegalArgumentException saying what is wrong with it
     */
    public static void checkPrefix(String prefix) {
        parsePrefix(prefix);
    }

    public boolean allows(String url) {
        return check(url).isPresent();
    }

    /** The URL to call, normalised (lower-case scheme and host, dot segments resolved); empty when not allowed. */
    public Optional<URI> check(String url) {
        Parts candidate = parse(url);
        if (candidate == null || candidate.uri().getRawFragment() != null) {
            return Optional.empty();
        }
        for (Parts prefix : prefixes) {
            if (under(candidate, prefix)) {
                return Optional.of(candidate.uri());
            }
        }
        return Optional.empty();
    }

    private static boolean under(Parts url, Parts prefix) {
        if (!url.scheme().equals(prefix.scheme()) || !url.host().equals(prefix.host()) || url.port() != prefix.port()) {
            return false;
        }
        String path = url.path();
        String base = prefix.path();
        return path.equals(base)
                || path.startsWith(base) && (base.endsWith("/") || path.charAt(base.length()) == '/');
    }

    private static Parts parsePrefix(String prefix) {
        Parts parts = prefix == null ? null : parse(prefix);
        if (parts == null) {
            throw new IllegalArgumentException('"' + prefix + "\" is not an absolute http(s) URL without user info");
        }
        if (parts.uri().getRawQuery() != null || parts.uri().getRawFragment() != null) {
            throw new IllegalArgumentException('"' + prefix + "\" must not carry a query or a fragment");
        }
        return parts;
    }

    /** The parts of an absolute http(s) URL with a host and no user info; null for anything else. */
    private static Parts parse(String text) {
        URI uri;
        try {
            uri = new URI(text).normalize();
        } catch (URISyntaxException e) {
            return null;
        }
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!uri.isAbsolute() || uri.isOpaque() || !(scheme.equals("http") || scheme.equals("https"))
                || uri.getHost() == null || uri.getRawUserInfo() != null) {
            return null;
        }
        String path = uri.getRawPath() == null || uri.getRawPath().isEmpty() ? "/" : uri.getRawPath();
        if (path.contains("/../") || path.endsWith("/..") || ENCODED_SEPARATOR.matcher(path).find()) {
            return null; // a ".." left after normalising climbs above the root; encoded ones are not resolved
        }
        String host = uri.getHost().toLowerCase(Locale.ROOT);
        int port = uri.getPort() != -1 ? uri.getPort() : scheme.equals("https") ? 443 : 80;
        try {
            URI normalised = new URI(scheme + "://" + (port == defaultPort(scheme) ? host : host + ":" + port)
                    + path + (uri.getRawQuery() == null ? "" : "?" + uri.getRawQuery())
                    + (uri.getRawFragment() == null ? "" : "#" + uri.getRawFragment()));
            return new Parts(scheme, host, port, path, normalised);
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static int defaultPort(String scheme) {
        return scheme.equals("https") ? 443 : 80;
    }
}
