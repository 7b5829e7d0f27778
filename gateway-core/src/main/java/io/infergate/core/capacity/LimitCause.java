package io.infergate.core.capacity;

import java.util.Locale;

/** What set an endpoint's concurrency limit last, for {@code /admin/upstreams}. */
public enum LimitCause {
    /** The route sets {@code maxInFlightPerEndpoint} and no lower bound: the limit does not move. */
    FIXED,
    /** Nothing learned yet: the starting value. */
    START,
    /** The endpoint said how many requests it admits ({@code max_concurrent_requests}). */
    REPORTED,
    /** The limit was in use and the endpoint did not queue: grown. */
    GROWTH,
    /** The endpoint queued requests inside itself (its queue time or reported queue depth): cut. */
    QUEUEING,
    /** Latency per token (else a stream's time to first token, else per request) rose against its baseline: cut. */
    LATENCY,
    /** The endpoint answered that it is overloaded ({@code 429}): cut by half. */
    OVERLOAD,
    /** The endpoint's own signals went stale while requests ran: held, not grown, as saturation would be. */
    STALE;

    /** The snake-case name shown by the admin page. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
