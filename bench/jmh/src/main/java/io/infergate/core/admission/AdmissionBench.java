package io.infergate.core.admission;

import io.infergate.core.config.ConfigLoader;
import io.infergate.core.route.RouteTable;
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
 * Admission of a route far from its limit, as every request of a healthy route meets it: admitted
 * at once, then its permit given back. Two threads, as two event loops share the route's admission.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
@Threads(2)
public class AdmissionBench {

    private static final long MINUTE_NANOS = TimeUnit.MINUTES.toNanos(1);

    private AdmissionController admission;

    @Setup
    public void setUp() throws Exception {
        RouteTable routes = RouteTable.compile(ConfigLoader.load("""
                defaults:
                  admission: { maxInFlightPerEndpoint: 10000 }
                routes:
                  - name: bench
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:1" ] } ]
                """, Map.of()));
        admission = routes.byName("bench").admission();
    }

    @Benchmark
    public boolean admitAndRelease() {
        long now = System.nanoTime();
        Ticket ticket = admission.acquire(new Request("anonymous", Tier.STANDARD, now, now + MINUTE_NANOS));
        Outcome outcome = ticket.outcome().orElseThrow();
        return admission.release(outcome.permit());
    }
}
