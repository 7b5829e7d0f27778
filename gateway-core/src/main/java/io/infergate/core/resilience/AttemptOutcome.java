package io.infergate.core.resilience;

import java.time.Duration;

/** What one attempt at an endpoint came to, while no byte of its response had reached the client. */
public sealed interface AttemptOutcome {

    /** No connection: refused, unreachable, or not in time (TCP or TLS). */
    record ConnectFailed(boolean timedOut) implements AttemptOutcome {}

    /**
     * The TLS handshake failed: an untrusted certificate, another host's, no common protocol. Not
     * transient: the same endpoint is not tried again, and its breaker counts it.
     */
    record TlsFailed() implements AttemptOutcome {}

    /** The connection closed or failed before a response head arrived. */
    record ResetBeforeHead() implements AttemptOutcome {}

    /** Connected and sent, but no response head within {@code timeouts.firstByte}. */
    record FirstByteTimeout() implements AttemptOutcome {}

    /**
     * A response head (or, on a stream, a first event that is an error, read as its status).
     *
     * @param retryAfter the upstream's {@code Retry-After}, or null
     * @param errorCode  the error code its body names ({@code context_length_exceeded}, ...), or null
     */
    record Answered(int status, Duration retryAfter, String errorCode) implements AttemptOutcome {}
}
