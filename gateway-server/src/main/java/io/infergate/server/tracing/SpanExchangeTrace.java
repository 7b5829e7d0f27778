package io.infergate.server.tracing;

import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.server.metrics.ExchangeRecord;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.Scope;
import io.opentelemetry.context.propagation.TextMapPropagator;

import java.util.Locale;
import java.util.concurrent.TimeUnit;

import static io.infergate.server.tracing.SpanAttributes.*;

/**
 * The trace of one exchange: its server span, begun when the request's head arrived, with events as
 * the exchange goes and the attributes its {@link ExchangeRecord} holds at the end, and one client
 * span per attempt, whose context the endpoint receives. Created only when tracing is on; a span
 * not sampled records nothing but still carries the context on.
 */
final class SpanExchangeTrace implements ExchangeTrace {

    private static final String TRACEPARENT = "traceparent";

    private final Tracer tracer;
    private final TextMapPropagator propagator;
    private final Context parent;
    private final Span span;
    private final boolean answerTraceparent;
    private final GenAiRequest request;
    private Span attempt;
    private int attempts;
    private boolean lastOnFallback;
    private String lastFailure;
    private int attemptStatus;
    /** Whether the attempt under way failed with a cause of its own. */
    private boolean failed;
    private long heartbeats;
    private String tier;

    SpanExchangeTrace(Tracer tracer, TextMapPropagator propagator, Context parent, Span span, boolean answerTraceparent,
                      GenAiRequest request) {
        this.tracer = tracer;
        this.propagator = propagator;
        this.parent = parent;
        this.span = span;
        this.answerTraceparent = answerTraceparent;
        this.request = request;
    }

    @Override
    public boolean recording() {
        return span.isRecording();
    }

    @Override
    public void requestBody(byte[] body) {
        if (span.isRecording()) {
            request.read(body);
            if (request.model() != null) {
                span.setAttribute(GEN_AI_REQUEST_MODEL, request.model());
                span.updateName(request.spanName());
            }
            if (request.maxTokens() >= 0) {
                span.setAttribute(GEN_AI_REQUEST_MAX_TOKENS, request.maxTokens());
            }
        }
    }

    @Override
    public void queued(int depth) {
        span.addEvent("gateway.admission.queued", Attributes.of(QUEUE_DEPTH, (long) depth));
    }

    @Override
    public void admitted(String tenant, String tier, long queueWaitNanos) {
        if (!span.isRecording()) {
            return; // not sampled: nothing is recorded, so nothing is built
        }
        this.tier = tier;
        span.addEvent("gateway.admission.admitted", Attributes.of(QUEUE_WAIT, seconds(queueWaitNanos)));
        span.setAttribute(TENANT, tenant);
    }

    @Override
    public void refused(String tenant, String cause, String reason, long predictedWaitNanos) {
        if (!span.isRecording()) {
            return; // not sampled: nothing is recorded, so nothing is built
        }
        if (tenant != null) {
            span.setAttribute(TENANT, tenant);
        }
        span.addEvent("gateway.admission.refused", Attributes.of(EVENT_CAUSE, cause, EVENT_REASON, reason,
                PREDICTED_WAIT, seconds(predictedWaitNanos)));
    }

    @Override
    public void held(String what, long nanos) {
        if (!span.isRecording()) {
            return; // not sampled: nothing is recorded, so nothing is built
        }
        span.addEvent("gateway.hold." + what, Attributes.of(HELD, seconds(nanos)));
    }

    @Override
    public void attemptStarted(Upstream upstream, Endpoint endpoint, boolean onFallback, HttpHeaders upstreamHeaders) {
        attemptEnded(0);
        if (!span.isRecording()) {
            // Not sampled: the endpoint still gets the trace context (flagged not sampled), in a span of its own.
            attempt = tracer.spanBuilder(request.operation()).setParent(parent.with(span)).startSpan();
            propagator.inject(parent.with(attempt), upstreamHeaders, HeaderAccess.SETTER);
            return;
        }
        String endpointUrl = endpoint.url().toString();
        String model = upstream.rewriteModel();
        attempts++;
        String reason = attempts == 1 ? "first" : onFallback && !lastOnFallback ? "fallback" : "retry";
        lastOnFallback = onFallback;
        String answering = model != null ? model : request.model();
        var builder = tracer.spanBuilder(request.operation() + (answering == null ? "" : " " + answering))
                .setParent(parent.with(span))
                .setSpanKind(SpanKind.CLIENT)
                .setAttribute(GEN_AI_OPERATION, request.operation())
                .setAttribute(ATTEMPT, (long) attempts)
                .setAttribute(ATTEMPT_REASON, reason)
                .setAttribute(UPSTREAM, upstream.name())
                .setAttribute(ENDPOINT, endpointUrl)
                .setAttribute(BREAKER, endpoint.breaker().phase().name().toLowerCase(Locale.ROOT))
                .setAttribute(SERVER_ADDRESS, endpoint.url().host())
                .setAttribute(SERVER_PORT, (long) endpoint.url().port());
        if (answering != null) {
            builder.setAttribute(GEN_AI_REQUEST_MODEL, answering);
        }
        if (lastFailure != null) {
            builder.setAttribute(ATTEMPT_AFTER, lastFailure);
        }
        attempt = builder.startSpan();
        propagator.inject(parent.with(attempt), upstreamHeaders, HeaderAccess.SETTER);
        if (model != null) {
            span.setAttribute(GEN_AI_RESPONSE_MODEL, model); // the model of the upstream asked last
        } else if (request.model() != null) {
            span.setAttribute(GEN_AI_RESPONSE_MODEL, request.model());
        }
    }

    @Override
    public void attemptFailed(String cause, int status) {
        lastFailure = cause;
        failed = true;
        if (attempt != null) {
            attempt.setAttribute(ERROR_TYPE, cause);
            attempt.setStatus(StatusCode.ERROR, cause);
            attemptStatus = status;
        }
    }

    @Override
    public void attemptEnded(int status) {
        if (attempt == null) {
            return;
        }
        int code = status != 0 ? status : attemptStatus;
        if (code != 0) {
            attempt.setAttribute(HTTP_STATUS, (long) code);
        }
        if ((code >= 500 || code == 429) && !failed) {
            lastFailure = Integer.toString(code); // an answer the gateway did not pass on, or an error it did
            attempt.setAttribute(ERROR_TYPE, lastFailure);
            attempt.setStatus(StatusCode.ERROR);
        }
        failed = false;
        attempt.end();
        attempt = null;
        attemptStatus = 0;
    }

    @Override
    public void firstToken(long nanos) {
        if (!span.isRecording()) {
            return; // not sampled: nothing is recorded, so nothing is built
        }
        span.addEvent("gen_ai.first_token", Attributes.of(TTFT, seconds(nanos)));
    }

    @Override
    public void heartbeat() {
        heartbeats++;
    }

    @Override
    public void finished(ExchangeRecord record, long generatedTokens) {
        attemptEnded(0);
        if (!span.isRecording()) {
            span.end();
            return;
        }
        if (record.stream()) {
            span.addEvent("gateway.stream.end", Attributes.of(HEARTBEATS, heartbeats));
            span.setAttribute(HEARTBEATS, heartbeats);
        }
        span.setAttribute(HTTP_STATUS, (long) record.status());
        span.setAttribute(OUTCOME, record.outcome());
        span.setAttribute(REQUEST_ID, record.requestId());
        span.setAttribute(ATTEMPTS_TOTAL, (long) attempts);
        if (record.upstream() != null) {
            span.setAttribute(UPSTREAM, record.upstream());
        }
        if (record.fallback()) {
            span.setAttribute(FALLBACK, true);
        }
        if (tier != null) {
            span.setAttribute(TIER, tier);
        }
        if (record.promptTokens() >= 0) {
            span.setAttribute(INPUT_TOKENS, record.promptTokens());
        }
        long output = record.generatedTokens() >= 0 ? record.generatedTokens() : generatedTokens;
        if (output >= 0) {
            span.setAttribute(OUTPUT_TOKENS, output);
        }
        if (!record.outcome().equals("success") && !record.outcome().equals("cancelled")) {
            span.setAttribute(ERROR_TYPE, record.outcome()); // as X-Gateway-Error says it
        }
        if (record.status() >= 500) {
            span.setStatus(StatusCode.ERROR, record.outcome());
        }
        span.end();
    }

    @Override
    public String traceId() {
        return span.getSpanContext().isValid() ? span.getSpanContext().getTraceId() : null;
    }

    @Override
    public void answering(HttpHeaders responseHeaders) {
        if (answerTraceparent) {
            responseHeaders.set(TRACEPARENT, traceparent());
        }
    }

    @Override
    public String traceparent() {
        var context = span.getSpanContext();
        return context.isValid() ? "00-" + context.getTraceId() + "-" + context.getSpanId() + "-"
                + context.getTraceFlags().asHex() : null;
    }

    @Override
    public Scope current() {
        return span.makeCurrent();
    }

    private static double seconds(long nanos) {
        return nanos / (double) TimeUnit.SECONDS.toNanos(1);
    }
}
