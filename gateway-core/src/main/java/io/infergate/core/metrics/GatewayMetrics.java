package io.infergate.core.metrics;

/**
 * The gateway's meters as calls the request path makes. The server binds this to Micrometer; tests
 * may bind it to anything. Implementations must be cheap: they run once per exchange on an event loop.
 */
public interface GatewayMetrics {

    /** One exchange ended: {@code outcome} is {@code success}, {@code error} (a gateway error) or {@code cancelled}. */
    void exchangeCompleted(String route, String upstream, int status, String outcome, long durationNanos);

    GatewayMetrics NOOP = (route, upstream, status, outcome, durationNanos) -> { };
}
