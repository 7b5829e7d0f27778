package io.infergate.server.exchange;

import io.infergate.core.error.GatewayError;
import io.infergate.core.recovery.ContinuationStyle;

/**
 * What the request does next, as {@link AttemptLoop} decides it: the exchange acts on the value
 * and the loop never touches a connection or the client.
 */
sealed interface Next {

    /** The response in hand is the answer: it goes to the client. */
    Next DELIVER = new Deliver();
    /** The endpoint chosen is warming: the request is parked until it answers or the hold ends. */
    Next PARK = new Park();
    /** The plan moved on to its next upstream (a fallback): another attempt starts there now. */
    Next FALLBACK = new Fallback();
    /** Another attempt starts now, without counting as a retry (the last endpoint was warming). */
    Next AGAIN = new Again();

    /** The request goes to {@code attempt}'s endpoint now. */
    record Go(Attempt attempt) implements Next {}

    /**
     * A stream broke after content reached the client: {@code attempt} continues it, its body built
     * for {@code style} (the partial answer as prefill, or the answer generated again and compared).
     */
    record Resume(Attempt attempt, ContinuationStyle style) implements Next {}

    /** Another attempt on the same upstream after {@code delayNanos}; with {@code avoidLast}, elsewhere if it can. */
    record Retry(long delayNanos, boolean avoidLast) implements Next {}

    /**
     * Every endpoint's breaker refuses, and a probe is due (or under way) within the request's
     * deadline: the plan starts over after {@code delayNanos}.
     */
    record AwaitProbe(long delayNanos) implements Next {}

    /** Nothing is left to try: the client gets {@code error}, with {@code Retry-After} when positive. */
    record GiveUp(GatewayError error, long retryAfterSeconds) implements Next {}

    record Deliver() implements Next {}

    record Park() implements Next {}

    record Fallback() implements Next {}

    record Again() implements Next {}
}
