package io.infergate.core.admission;

import java.time.Duration;

/**
 * One route's admission limits.
 * <p>
 * Up to each healthy endpoint's limit of requests run on it; up to {@code queue} more wait. When
 * {@code learnsLimit}, each endpoint's limit is learned between {@code minInFlightPerEndpoint} and
 * {@code maxInFlightPerEndpoint} (see {@code io.infergate.core.capacity.ConcurrencyLimit}); otherwise
 * it is {@code maxInFlightPerEndpoint}, fixed. A request whose predicted wait exceeds {@code maxQueueWait} is shed instead of queued. A
 * reported GPU utilization or upstream queue depth at or past {@code shedAtGpuUtilization} /
 * {@code shedAtQueueDepth} sheds requests of every tier that does not set its own threshold.
 * <p>
 * {@code perTenantQueueShare} is the fraction of the queue one tenant may hold within a tier. Every
 * tier may use the whole queue (lower tiers are displaced, not reserved against), so a tier's
 * bound is the route's. The default of one half keeps a burst from one client from taking the
 * queue from everyone else of its tier, while a route with a single tenant still queues half the
 * bound, which at the defaults (128 waiters for 8 slots an endpoint) is past where the predicted
 * wait sheds anyway.
 */
public record AdmissionSettings(int maxInFlightPerEndpoint, int minInFlightPerEndpoint, boolean learnsLimit, int queue,
                                Duration maxQueueWait, double shedAtGpuUtilization, int shedAtQueueDepth,
                                double perTenantQueueShare) {

    /** Limits learned between 1 and 256 an endpoint (TGI admits 128 by default, vLLM batches 256). */
    public static final AdmissionSettings DEFAULTS =
            new AdmissionSettings(256, 1, true, 256, Duration.ofSeconds(30), 0.95, 32, 0.5);

    public AdmissionSettings {
        if (maxInFlightPerEndpoint < 1) {
            throw new IllegalArgumentException("maxInFlightPerEndpoint: " + maxInFlightPerEndpoint + " (expected: >= 1)");
        }
        if (minInFlightPerEndpoint < 1 || minInFlightPerEndpoint > maxInFlightPerEndpoint) {
            throw new IllegalArgumentException("minInFlightPerEndpoint: " + minInFlightPerEndpoint
                    + " (expected: >= 1 and <= maxInFlightPerEndpoint " + maxInFlightPerEndpoint + ")");
        }
        if (queue < 0) {
            throw new IllegalArgumentException("queue: " + queue + " (expected: >= 0)");
        }
        if (maxQueueWait == null || maxQueueWait.isNegative()) {
            throw new IllegalArgumentException("maxQueueWait: " + maxQueueWait + " (expected: >= 0)");
        }
        if (!(shedAtGpuUtilization > 0 && shedAtGpuUtilization <= 1)) {
            throw new IllegalArgumentException("shedAtGpuUtilization: " + shedAtGpuUtilization + " (expected: > 0 and <= 1)");
        }
        if (shedAtQueueDepth < 1) {
            throw new IllegalArgumentException("shedAtQueueDepth: " + shedAtQueueDepth + " (expected: >= 1)");
        }
        if (!(perTenantQueueShare > 0 && perTenantQueueShare <= 1)) {
            throw new IllegalArgumentException("perTenantQueueShare: " + perTenantQueueShare + " (expected: > 0 and <= 1)");
        }
    }

    /** Settings with a fixed limit of {@code maxInFlightPerEndpoint} for each endpoint. */
    public AdmissionSettings(int maxInFlightPerEndpoint, int queue, Duration maxQueueWait,
                             double shedAtGpuUtilization, int shedAtQueueDepth, double perTenantQueueShare) {
        this(maxInFlightPerEndpoint, maxInFlightPerEndpoint, false, queue, maxQueueWait, shedAtGpuUtilization,
                shedAtQueueDepth, perTenantQueueShare);
    }

    /** The route's slots when {@code endpoints} endpoints are healthy, at the fixed limit. */
    public int slots(int endpoints) {
        return Math.multiplyExact(Math.max(0, endpoints), maxInFlightPerEndpoint);
    }

    /** How many queued requests one tenant may hold within one tier; at least one. */
    public int queuePlacesPerTenant() {
        return Math.max(1, (int) Math.floor(queue * perTenantQueueShare));
    }
}
