package io.infergate.server.relay;

import io.infergate.core.metrics.GatewayMetrics;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.tracing.ExchangeTrace;

/**
 * A stream's meters as its relay writes: time to first token (the first upstream event relayed,
 * from the request's arrival), the gaps between events, and heartbeats. Events that arrive in one
 * chunk reach the client together, so the gaps between them are recorded as zero.
 */
final class StreamMeters implements SseRelay.Observer {

    private final GatewayMetrics metrics;
    private final String route;
    private final ExchangeRecord record;
    private final ExchangeTrace trace;
    private boolean eventSeen;
    private long lastEventNanos;

    StreamMeters(GatewayMetrics metrics, String route, ExchangeRecord record, ExchangeTrace trace) {
        this.metrics = metrics;
        this.route = route;
        this.record = record;
        this.trace = trace;
    }

    @Override
    public void heartbeatSent() {
        metrics.heartbeatSent(route);
        trace.heartbeat();
    }

    @Override
    public void eventsRelayed(long events, long nowNanos) {
        if (eventSeen) {
            metrics.streamEventGap(route, nowNanos - lastEventNanos);
        } else {
            eventSeen = true;
            record.eventRelayed(nowNanos);
            String upstream = record.upstream() == null ? "none" : record.upstream();
            metrics.firstTokenRelayed(route, upstream, nowNanos - record.startNanos());
            trace.firstToken(nowNanos - record.startNanos());
        }
        for (long i = 1; i < events; i++) {
            metrics.streamEventGap(route, 0);
        }
        lastEventNanos = nowNanos;
    }
}
