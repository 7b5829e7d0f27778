package io.infergate.core.resilience;

/** What one attempt tells its endpoint's circuit breaker. */
public enum BreakerVerdict {
    /** The endpoint answered as a healthy one does. */
    SUCCESS,
    /** The endpoint failed: no connection, silence, a reset, a 5xx the route retries. */
    FAILURE,
    /** Nothing about the endpoint's health: a 429, a cold start, a client that left, a bad body. */
    NONE;

    public static BreakerVerdict failureIf(boolean failed) {
        return failed ? FAILURE : SUCCESS;
    }
}
