package io.infergate.core.metrics;

/**
 * The gateway's meters as calls the request path makes. The server binds this to Micrometer; tests
 * may bind it to anything. Implementations must be cheap: they run on event loops.
 */
public interface GatewayMetrics {

    /** One exchange ended: {@code outcome} is {@code success}, {@code cancelled}, or the cause of a gateway error. */
    void exchangeCompleted(String route, String upstream, int status, String outcome, long durationNanos);

    /** A request was tried again on the same upstream. */
    void retried(String route, String upstream);

    /** A request moved on to a fallback upstream. */
    void fellBack(String route, String upstream);

    /** A {@code : keep-alive} comment went to a streaming client. */
    void heartbeatSent(String route);

    /** A streaming client went away mid-stream; its upstream request was closed. */
    void streamCancelled(String route);

    /** An upstream ended a stream without its protocol's final event ({@code [DONE]}, TGI's {@code generated_text}). */
    void streamTruncated(String route);

    GatewayMetrics NOOP = new GatewayMetrics() {
        @Override
        public void exchangeCompleted(String route, String upstream, int status, String outcome, long durationNanos) {}

        @Override
        public void retried(String route, String upstream) {}

        @Override
        public void fellBack(String route, String upstream) {}

        @Override
        public void heartbeatSent(String route) {}

        @Override
        public void streamCancelled(String route) {}

        @Override
        public void streamTruncated(String route) {}
    };
}
