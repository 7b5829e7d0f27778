package io.infergate.core.admission;

import io.infergate.core.error.GatewayError;

import java.util.Locale;

/**
 * Every way an admission ends, in one table: the gateway error it answers with (none for an
 * admission or a client that left) and why, for the response message and the metric tag. Several
 * verdicts share an error, because the client needs only the cause while an operator needs the
 * reason.
 */
public enum Verdict {
    ADMITTED(null, "admitted"),
    SHED_PREDICTED_WAIT(GatewayError.SHED_OVERLOAD, "the predicted queue wait exceeds the route's limit"),
    SHED_PAST_DEADLINE(GatewayError.SHED_OVERLOAD, "the predicted queue wait exceeds the request's remaining deadline"),
    SHED_LOAD(GatewayError.SHED_OVERLOAD, "the upstream's reported load is past the threshold for the tenant's tier"),
    SHED_DISPLACED(GatewayError.SHED_OVERLOAD, "a request of a higher tier took its place in the full queue"),
    QUEUE_FULL(GatewayError.QUEUE_FULL, "the route's queue is full"),
    TENANT_SHARE_FULL(GatewayError.QUEUE_FULL, "the tenant holds its full share of the route's queue"),
    DEADLINE_EXCEEDED(GatewayError.DEADLINE_EXCEEDED, "the request's deadline ran out before a slot was free"),
    CANCELLED(null, "the client left while the request waited");

    private final GatewayError error;
    private final String message;

    Verdict(GatewayError error, String message) {
        this.error = error;
        this.message = message;
    }

    /** The error the gateway answers with; {@code null} for {@link #ADMITTED} and {@link #CANCELLED}. */
    public GatewayError error() {
        return error;
    }

    /** Shed verdicts come with a {@code Retry-After}. */
    public boolean isShed() {
        return error == GatewayError.SHED_OVERLOAD;
    }

    /** Whether the refusal tells the client when to come back: a {@code 429}, shed or queue full. */
    public boolean saysWhenToComeBack() {
        return error == GatewayError.SHED_OVERLOAD || error == GatewayError.QUEUE_FULL;
    }

    public String message() {
        return message;
    }

    /** The snake-case name for metric tags. */
    public String tag() {
        return name().toLowerCase(Locale.ROOT);
    }
}
