package io.infergate.core.route;

import io.infergate.core.Ticker;
import io.infergate.core.admission.AdmissionSettings;
import io.infergate.core.admission.Capacity;
import io.infergate.core.admission.RouteLoad;
import io.infergate.core.capacity.ConcurrencyLimit;
import io.infergate.core.capacity.EndpointLimits;
import io.infergate.core.load.LoadReport;
import io.infergate.core.resilience.CircuitBreaker;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;

import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.function.ToIntFunction;

/**
 * A route's endpoints as balancing and admission see them: how loaded each one is (its in-flight
 * requests and what it last reported), how many requests the route can have in flight, and the
 * load its least loaded endpoint reports. Reports older than {@code staleAfter} are not believed;
 * then the gateway's own in-flight count stands alone.
 */
public final class RouteLoadView implements Capacity {

    private final List<Upstream> upstreams;
    private final AdmissionSettings admission;
    private final EndpointLimits limits;
    private final Duration staleAfter;
    private final Ticker ticker;

    /**
     * @param admission the route's admission settings; null when the route has none
     * @param limits    each endpoint's concurrency limit; null when the route has no admission
     */
    public RouteLoadView(List<Upstream> upstreams, AdmissionSettings admission, EndpointLimits limits,
                         Duration staleAfter, Ticker ticker) {
        this.upstreams = upstreams;
        this.admission = admission;
        this.limits = limits;
        this.staleAfter = staleAfter;
        this.ticker = ticker;
    }

    /**
     * How loaded {@code endpoint} is, lower is better: its in-flight requests plus those it reports
     * queued, weighed by its reported utilization. Infinite when it is saturated: at the route's
     * concurrency limit, or past its shedding thresholds.
     */
    public double score(Endpoint endpoint) {
        int inFlight = endpoint.inFlight();
        if (limits != null && inFlight >= limits.of(endpoint).limit()) {
            return Double.POSITIVE_INFINITY;
        }
        Optional<LoadReport> report = endpoint.load().current(ticker.nanoTime(), staleAfter);
        double queued = report.map(r -> LoadReport.known(r.queueDepth()) ? r.queueDepth() : 0.0).orElse(0.0);
        double utilization = report.map(LoadReport::utilization).orElse(Double.NaN);
        if (admission != null && (queued >= admission.shedAtQueueDepth()
                || LoadReport.known(utilization) && utilization >= admission.shedAtGpuUtilization())) {
            return Double.POSITIVE_INFINITY;
        }
        return (inFlight + queued) * (1 + (LoadReport.known(utilization) ? utilization : 0));
    }

    /**
     * Requests the route can have in flight: the sum of the concurrency limits of the endpoints that
     * can take requests (breaker not open, not warming) of the first upstream that has any; of all
     * the primary's when none has.
     */
    @Override
    public int slots() {
        return sum(ConcurrencyLimit::limit);
    }

    /** Of the {@link #slots}, those the same endpoints have run without queueing inside themselves. */
    @Override
    public int provenSlots() {
        return sum(ConcurrencyLimit::proven);
    }

    private int sum(ToIntFunction<ConcurrencyLimit> slotsOf) {
        if (limits == null) {
            return Integer.MAX_VALUE;
        }
        for (Upstream upstream : upstreams) {
            int slots = 0;
            boolean any = false;
            for (Endpoint endpoint : upstream.endpoints()) {
                if (available(endpoint)) {
                    slots += slotsOf.applyAsInt(limits.of(endpoint));
                    any = true;
                }
            }
            if (any) {
                return slots;
            }
        }
        // Nothing can take requests now: admission still lets the primary's share through, and the
        // attempt plan answers them (an open breaker's hold or 502, a cold start's hold) rather than a queue.
        int slots = 0;
        for (Endpoint endpoint : upstreams.get(0).endpoints()) {
            slots += slotsOf.applyAsInt(limits.of(endpoint));
        }
        return slots;
    }

    /**
     * Whether the route's capacity is still growing: a learned limit of one of the endpoints it counts
     * is probing an endpoint that has not queued yet, so the capacity is a floor.
     */
    @Override
    public boolean growing() {
        if (limits == null) {
            return false;
        }
        for (Upstream upstream : upstreams) {
            boolean any = false;
            for (Endpoint endpoint : upstream.endpoints()) {
                if (available(endpoint)) {
                    any = true;
                    if (limits.of(endpoint).growing()) {
                        return true;
                    }
                }
            }
            if (any) {
                return false;
            }
        }
        return false;
    }

    /**
     * The load of the least loaded endpoint that can take requests, for shedding: a request is shed
     * only when even that one is past the threshold. Unknown as soon as one of them has not reported.
     */
    public RouteLoad routeLoad() {
        long now = ticker.nanoTime();
        double utilization = Double.POSITIVE_INFINITY;
        double queued = Double.POSITIVE_INFINITY;
        boolean any = false;
        for (Upstream upstream : upstreams) {
            for (Endpoint endpoint : upstream.endpoints()) {
                if (!available(endpoint)) {
                    continue;
                }
                Optional<LoadReport> report = endpoint.load().current(now, staleAfter);
                if (report.isEmpty()) {
                    return RouteLoad.UNKNOWN;
                }
                any = true;
                utilization = Math.min(utilization, known(report.get().utilization()));
                queued = Math.min(queued, known(report.get().queueDepth()));
            }
            if (any) {
                break;
            }
        }
        if (!any) {
            return RouteLoad.UNKNOWN;
        }
        return new RouteLoad(
                utilization == Double.POSITIVE_INFINITY ? OptionalDouble.empty() : OptionalDouble.of(utilization),
                queued == Double.POSITIVE_INFINITY ? OptionalInt.empty() : OptionalInt.of((int) queued));
    }

    private static double known(double value) {
        return LoadReport.known(value) ? value : Double.POSITIVE_INFINITY;
    }

    private static boolean available(Endpoint endpoint) {
        return endpoint.breaker().phase() != CircuitBreaker.Phase.OPEN && !endpoint.warming().isWarming();
    }
}
