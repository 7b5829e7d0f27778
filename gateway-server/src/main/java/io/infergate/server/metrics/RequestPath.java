package io.infergate.server.metrics;

/** A request target as the gateway keeps and shows it: the path alone. */
public final class RequestPath {

    private RequestPath() {}

    /** The request target without its query string, which may carry credentials ({@code ?token=}). */
    public static String of(String target) {
        if (target == null) {
            return null;
        }
        for (int i = 0; i < target.length(); i++) { // a scan, not a regex: this runs twice a request
            if (target.charAt(i) == '?' || target.charAt(i) == '#') {
                return target.substring(0, i);
            }
        }
        return target;
    }
}
