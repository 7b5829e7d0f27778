package io.infergate.server.metrics;

import io.infergate.core.config.ConfigLoader;
import io.infergate.core.route.RouteTable;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The meters one request feeds: started, its queue wait, completed. Two threads, as two event
 * loops share the route's meters.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class MetersBench {

    private MicrometerGatewayMetrics metrics;

    @Setup
    public void setUp() throws Exception {
        RouteTable routes = RouteTable.compile(ConfigLoader.load("""
                routes:
                  - name: bench
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:1" ] } ]
                """, Map.of()));
        metrics = new MicrometerGatewayMetrics(new PrometheusMeterRegistry(PrometheusConfig.DEFAULT), routes);
    }

    @Benchmark
    public void oneRequestsMeters() {
        metrics.exchangeStarted("bench");
        metrics.queueWaited("bench", "standard", 0);
        metrics.exchangeCompleted("bench", "primary", 200, "success", 1_234_567);
    }
}
