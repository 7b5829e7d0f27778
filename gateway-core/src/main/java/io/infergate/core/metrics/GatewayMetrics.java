package io.infergate.core.metrics;

import io.infergate.core.load.LoadReport;

/**
 * The gateway's meters as calls the request path makes. The server binds this to Micrometer; tests
 * may bind it to anything. Implementations must be cheap: they run on event loops.
 *
 * <p>Some calls belong to capabilities that are not on the request path yet (admission, load
 * reports); the meters they feed exist from the start, at zero, so that dashboards and alerts
 * never point at nothing.
 */
public interface GatewayMetrics {

    /** An exchange began on {@code route}; exactly one {@link #exchangeCompleted} follows. */
    void exchangeStarted(String route);

    /** One exchange ended: {@code outcome} is {@code success}, {@code cancelled}, or the cause of a gateway error. */
    void exchangeCompleted(String route, String upstream, int status, String outcome, long durationNanos);

    /**
     * The gateway answered a request itself before it became an exchange of a route (a guard's
     * refusal, a slow head's {@code 408}, no route, the jobs API): counted as {@code route="none"},
     * {@code upstream="none"}, like every other response.
     */
    void answeredLocally(int status, String outcome, long durationNanos);

    /** A stream's first upstream event reached the client, {@code nanos} after the request arrived. */
    void firstTokenRelayed(String route, String upstream, long nanos);

    /** A stream relayed an upstream event {@code nanos} after the one before it. */
    void streamEventGap(String route, long nanos);

    /** A new connection to {@code endpoint} (its URL) was opened, TCP and TLS, in {@code nanos}. */
    void upstreamConnected(String upstream, String endpoint, long nanos);

    /** A request waited {@code nanos} for admission. */
    void queueWaited(String route, String tier, long nanos);

    /** Admission control refused a request; {@code cause} is the gateway error's cause. */
    void shed(String route, String cause, String tier);

    /** A rate limit refused a request. */
    void rateLimited(String route, String tier);

    /** The number of requests now waiting for admission on {@code route}. */
    void queueDepth(String route, int depth);

    /** What an endpoint (its URL) last said about its load; values it did not report stay unknown. */
    void upstreamLoad(String endpoint, LoadReport report);

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

    /**
     * A stream broke after content reached the client; {@code outcome}: {@code continued} or
     * {@code regenerated} (it went on elsewhere), {@code diverged}, {@code failed} or {@code disarmed}.
     */
    void streamRecovered(String route, String outcome);

    GatewayMetrics NOOP = new GatewayMetrics() {
        @Override
        public void exchangeStarted(String route) {}

        @Override
        public void exchangeCompleted(String route, String upstream, int status, String outcome, long durationNanos) {}

        @Override
        public void answeredLocally(int status, String outcome, long durationNanos) {}

        @Override
        public void firstTokenRelayed(String route, String upstream, long nanos) {}

        @Override
        public void streamEventGap(String route, long nanos) {}

        @Override
        public void upstreamConnected(String upstream, String endpoint, long nanos) {}

        @Override
        public void queueWaited(String route, String tier, long nanos) {}

        @Override
        public void shed(String route, String cause, String tier) {}

        @Override
        public void rateLimited(String route, String tier) {}

        @Override
        public void queueDepth(String route, int depth) {}

        @Override
        public void upstreamLoad(String endpoint, LoadReport report) {}

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

        @Override
        public void streamRecovered(String route, String outcome) {}
    };
}
