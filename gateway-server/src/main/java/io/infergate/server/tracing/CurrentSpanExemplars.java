package io.infergate.server.tracing;

import io.opentelemetry.api.trace.Span;
import io.prometheus.metrics.tracer.common.SpanContext;

/**
 * The Prometheus client's view of the span current on this thread: a histogram recorded while an
 * exchange's span is current (its end, on its event loop) keeps that trace as the bucket's exemplar,
 * so a dashboard goes from a slow bucket to a trace. Only sampled spans are offered: the others were
 * never exported.
 */
final class CurrentSpanExemplars implements SpanContext {

    @Override
    public String getCurrentTraceId() {
        var context = Span.current().getSpanContext();
        return context.isValid() ? context.getTraceId() : null;
    }

    @Override
    public String getCurrentSpanId() {
        var context = Span.current().getSpanContext();
        return context.isValid() ? context.getSpanId() : null;
    }

    @Override
    public boolean isCurrentSpanSampled() {
        return Span.current().getSpanContext().isSampled();
    }

    @Override
    public void markCurrentSpanAsExemplar() {
        // Every sampled span is exported already.
    }
}
