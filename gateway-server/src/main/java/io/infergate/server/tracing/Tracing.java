package io.infergate.server.tracing;

import io.infergate.core.config.TracingConfig;
import io.infergate.core.metrics.MeterNames;
import io.infergate.server.metrics.ExchangeRecord;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.opentelemetry.api.baggage.Baggage;
import io.opentelemetry.api.baggage.propagation.W3CBaggagePropagator;
import io.opentelemetry.api.common.Attributes;
import io.opentelemetry.api.common.AttributesBuilder;
import io.opentelemetry.api.trace.Span;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.Tracer;
import io.opentelemetry.api.trace.propagation.W3CTraceContextPropagator;
import io.opentelemetry.context.Context;
import io.opentelemetry.context.propagation.TextMapPropagator;
import io.opentelemetry.exporter.otlp.http.trace.OtlpHttpSpanExporter;
import io.opentelemetry.exporter.otlp.trace.OtlpGrpcSpanExporter;
import io.opentelemetry.sdk.resources.Resource;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.export.SpanExporter;
import io.opentelemetry.sdk.trace.samplers.Sampler;
import io.prometheus.metrics.tracer.common.SpanContext;

import java.util.Map;
import java.util.function.ToDoubleFunction;

import static io.infergate.server.tracing.SpanAttributes.*;

/**
 * The gateway's tracer, made once at start from {@code tracing:}: a parent-based ratio sampler, W3C
 * trace context and baggage, and spans sent over OTLP by an {@link ExportQueue} that never blocks an
 * event loop. {@link #OFF} (no {@code tracing} section) hands every exchange {@link ExchangeTrace#OFF}.
 */
public final class Tracing implements AutoCloseable {

    public static final Tracing OFF = new Tracing(null, null, null, false);

    private static final TextMapPropagator PROPAGATOR = TextMapPropagator.composite(
            W3CTraceContextPropagator.getInstance(), W3CBaggagePropagator.getInstance());

    private final SdkTracerProvider provider;
    private final Tracer tracer;
    private final ExportQueue queue;
    private final boolean answerTraceparent;

    private Tracing(SdkTracerProvider provider, Tracer tracer, ExportQueue queue, boolean answerTraceparent) {
        this.provider = provider;
        this.tracer = tracer;
        this.queue = queue;
        this.answerTraceparent = answerTraceparent;
    }

    /** Tracing as {@code config} says; {@link #OFF} when it is not enabled. */
    public static Tracing start(TracingConfig config) {
        if (!config.enabled()) {
            return OFF;
        }
        ExportQueue queue = new ExportQueue(exporter(config), config.queueSize(), config.batchSize(),
                config.scheduleDelay().toNanos(), config.exportTimeout().toNanos());
        SdkTracerProvider provider = SdkTracerProvider.builder()
                .setResource(Resource.getDefault().merge(resource(config, System.getenv())))
                .setSampler(Sampler.parentBased(Sampler.traceIdRatioBased(config.sampleRatio())))
                .addSpanProcessor(queue)
                .build();
        return new Tracing(provider, provider.get("io.infergate"), queue, config.responseTraceparent());
    }

    /** One try per batch: a lost batch is counted, and a collector that is down is not asked again and again. */
    private static SpanExporter exporter(TracingConfig config) {
        String endpoint = config.otlpEndpoint().toString();
        if (config.protocol() == TracingConfig.Protocol.GRPC) {
            var builder = OtlpGrpcSpanExporter.builder().setEndpoint(endpoint).setTimeout(config.exportTimeout())
                    .setRetryPolicy(null);
            config.headers().forEach(builder::addHeader);
            return builder.build();
        }
        var builder = OtlpHttpSpanExporter.builder().setEndpoint(endpoint).setTimeout(config.exportTimeout())
                .setRetryPolicy(null);
        config.headers().forEach(builder::addHeader);
        return builder.build();
    }

    /** {@code service.name}, and {@code OTEL_RESOURCE_ATTRIBUTES} ({@code key=value,...}) when set. */
    private static Resource resource(TracingConfig config, Map<String, String> env) {
        AttributesBuilder attributes = Attributes.builder();
        String extra = env.get("OTEL_RESOURCE_ATTRIBUTES");
        if (extra != null) {
            for (String pair : extra.split(",")) {
                int equals = pair.indexOf('=');
                if (equals > 0) {
                    attributes.put(pair.substring(0, equals).trim(), pair.substring(equals + 1).trim());
                }
            }
        }
        attributes.put("service.name", config.serviceName());
        return Resource.create(attributes.build());
    }

    public boolean enabled() {
        return provider != null;
    }

    /**
     * The trace of an exchange whose head just arrived: a child of the client's context when it sent
     * one, a new trace when sampled otherwise. A job's run ({@code jobRun}) starts a trace of its own,
     * linked to its submission's span, whose context the run's request carries.
     */
    public ExchangeTrace begin(HttpRequest request, ExchangeRecord record, boolean jobRun) {
        if (provider == null) {
            return ExchangeTrace.OFF;
        }
        String path = record.path();
        HttpHeaders headers = request.headers();
        Context extracted = PROPAGATOR.extract(Context.root(), headers, HeaderAccess.GETTER);
        boolean clientContext = Span.fromContext(extracted).getSpanContext().isValid();
        GenAiRequest genAi = new GenAiRequest(path);
        String host = headers.get(HttpHeaderNames.HOST);
        var builder = tracer.spanBuilder(genAi.spanName())
                .setSpanKind(SpanKind.SERVER)
                .setAttribute(GEN_AI_OPERATION, genAi.operation())
                .setAttribute(HTTP_METHOD, request.method().name())
                .setAttribute(URL_PATH, path == null ? "" : path)
                .setAttribute(ROUTE, record.route());
        if (host != null) {
            int colon = host.lastIndexOf(':');
            boolean hasPort = colon > 0 && host.indexOf(']', colon) < 0;
            builder.setAttribute(SERVER_ADDRESS, hasPort ? host.substring(0, colon) : host);
            if (hasPort) {
                try {
                    builder.setAttribute(SERVER_PORT, Long.parseLong(host.substring(colon + 1)));
                } catch (NumberFormatException e) {
                    // a Host header with a broken port: the address alone
                }
            }
        }
        Context parent = extracted;
        if (jobRun && clientContext) {
            builder.addLink(Span.fromContext(extracted).getSpanContext());
            parent = Context.root().with(Baggage.fromContext(extracted));
            clientContext = false;
        }
        Span span = builder.setParent(parent).startSpan();
        if (span.getSpanContext().isSampled() || clientContext) {
            record.traced(span.getSpanContext().getTraceId()); // a trace that was kept, or the client's own
        }
        return new SpanExchangeTrace(tracer, PROPAGATOR, parent, span, answerTraceparent && clientContext, genAi);
    }

    /** For the Prometheus registry's exemplars: the span made current around a histogram's record; null when off. */
    public SpanContext exemplars() {
        return provider == null ? null : new CurrentSpanExemplars();
    }

    /** The export's meters, there (at zero) with tracing off too, so the dashboard always finds them. */
    public void bindTo(MeterRegistry registry) {
        counter(registry, MeterNames.TRACE_SPANS_EXPORTED, "Spans the trace collector took", null, q -> q.exported());
        String lost = "Spans lost on their way to the trace collector: its queue was full, or the export failed";
        counter(registry, MeterNames.TRACE_SPANS_DROPPED, lost, "queue_full", q -> q.droppedQueueFull());
        counter(registry, MeterNames.TRACE_SPANS_DROPPED, lost, "export_failed", q -> q.droppedExportFailed());
    }

    private void counter(MeterRegistry registry, String name, String help, String cause,
                         ToDoubleFunction<ExportQueue> count) {
        var builder = FunctionCounter.builder(name, this, t -> t.queue == null ? 0 : count.applyAsDouble(t.queue))
                .description(help);
        if (cause != null) {
            builder.tag("cause", cause);
        }
        builder.register(registry);
    }

    /** Sends the spans still queued, then stops. */
    @Override
    public void close() {
        if (provider != null) {
            provider.shutdown().join(10, java.util.concurrent.TimeUnit.SECONDS);
        }
    }
}
