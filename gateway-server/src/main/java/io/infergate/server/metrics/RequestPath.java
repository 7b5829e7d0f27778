package io.infergate.server.metrics;

import java.util.regex.Pattern;

/** A request target as the gateway keeps and shows it: the path alone. */
public final class RequestPath {

    private static final Pattern QUERY_OR_FRAGMENT = Pattern.compile("[?#]");

    private RequestPath() {}

    /** The request target without its query string, which may carry credentials ({@code ?token=}). */
    public static String of(String target) {
        return target == null ? null : QUERY_OR_FRAGMENT.split(target, 2)[0];
    }
}
