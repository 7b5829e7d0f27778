package io.infergate.server.relay;

import io.infergate.core.load.LoadReport;
import io.infergate.core.metrics.GatewayMetrics;

/** Meters that count what the relay reports about streams, and ignore the rest. */
final class CountingMetrics implements GatewayMetrics {

    int heartbeats;
    int cancelled;
    int firstTokens;

    @Override
    public void heartbeatSent(String route) {
        heartbeats++;
    }

    @Override
    public void streamCancelled(String route) {
        cancelled++;
    }

    @Override
    public void firstTokenRelayed(String route, String upstream, long nanos) {
        firstTokens++;
    }

    @Override
    public void exchangeStarted(String route) {}

    @Override
    public void exchangeCompleted(String route, String upstream, int status, String outcome, long durationNanos) {}

    @Override
    public void answeredLocally(int status, String outcome, long durationNanos) {}

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
    public void streamTruncated(String route) {}

    @Override
    public void streamRecovered(String route, String outcome) {}
}
