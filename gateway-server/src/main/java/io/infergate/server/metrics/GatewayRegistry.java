package io.infergate.server.metrics;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.tracer.common.SpanContext;

import java.util.List;

/** The gateway's Prometheus registry, with the JVM's own meters. */
public final class GatewayRegistry {

    private GatewayRegistry() {}

    /**
     * @param exemplars the span a histogram's sample is taken in, kept as the bucket's exemplar (shown
     *                  to a scraper that asks for OpenMetrics); null: none
     */
    public static PrometheusMeterRegistry create(SpanContext exemplars) {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT, new PrometheusRegistry(),
                Clock.SYSTEM, exemplars);
        List.of(new JvmMemoryMetrics(), new JvmThreadMetrics(), new JvmGcMetrics()).forEach(jvm -> jvm.bindTo(registry));
        return registry;
    }
}
