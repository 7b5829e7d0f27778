package io.infergate.core.ratelimit;

import java.util.List;
import java.util.stream.Collectors;

/**
 * The values of the {@code RateLimit-Policy} and {@code RateLimit} response headers, in the syntax
 * of draft-ietf-httpapi-ratelimit-headers-11 (May 2026): each a Structured Fields List (RFC 9651)
 * of items named by a quoted policy name, with integer parameters.
 * <pre>
 * RateLimit-Policy: "requests";q=60;w=60, "tokens";q=10000;w=60
 * RateLimit: "requests";r=12;t=5, "tokens";r=0;t=7
 * </pre>
 * {@code q} is a policy's quota and {@code w} its window in seconds; {@code r} is what remains of the
 * quota and {@code t} the effective window: the seconds until the quota is whole again, never past
 * a refusal's {@code Retry-After} (the draft asks that {@code Retry-After} not end before it).
 * <p>
 * The draft's quota units ({@code qu}) are requests, content bytes and concurrent requests; it
 * registers none for generated tokens. So the token policy leaves {@code qu} out (a unit outside the
 * registry would be malformed) and says what it counts by its name, {@code "tokens"}, which the
 * gateway's documentation explains.
 */
final class RateLimitHeaders {

    /** A policy: a named quota per window. */
    interface Quota {
        String name();

        long quota();
    }

    /** What is left of a policy's quota, and the seconds until it is whole again. */
    record Remaining(String name, long remaining, long seconds) {}

    private RateLimitHeaders() {}

    static String policy(List<? extends Quota> quotas, long windowSeconds) {
        return quotas.stream()
                .map(q -> quoted(q.name()) + ";q=" + q.quota() + ";w=" + windowSeconds)
                .collect(Collectors.joining(", "));
    }

    static String rateLimit(List<Remaining> remaining) {
        return remaining.stream()
                .map(r -> quoted(r.name()) + ";r=" + r.remaining() + ";t=" + r.seconds())
                .collect(Collectors.joining(", "));
    }

    /** An sf-string; policy names are plain ASCII words, so there is nothing to escape. */
    private static String quoted(String name) {
        return '"' + name + '"';
    }
}
