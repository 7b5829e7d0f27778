package io.infergate.core.config;

import io.infergate.core.admission.AdmissionSettings;

import java.util.List;

/**
 * Binds an {@code admission:} map over a base, key by key, like {@link TimeoutsBinder}. Setting
 * {@code maxInFlightPerEndpoint} alone fixes the limit, as it always did; setting
 * {@code minInFlightPerEndpoint} makes it learned between the two bounds; setting neither keeps the
 * base's choice.
 */
final class AdmissionBinder {

    static final List<String> KEYS = List.of("maxInFlightPerEndpoint", "minInFlightPerEndpoint", "queue", "maxQueueWait",
            "shedAtGpuUtilization", "shedAtQueueDepth", "perTenantQueueShare");

    private AdmissionBinder() {}

    static AdmissionSettings bind(ConfigNode admission, AdmissionSettings base) {
        admission.checkMap(KEYS);
        ConfigNode maxNode = admission.get("maxInFlightPerEndpoint");
        ConfigNode minNode = admission.get("minInFlightPerEndpoint");
        int max = maxNode.integer(base.maxInFlightPerEndpoint(), 1, 10_000);
        boolean learns = !minNode.isAbsent() || maxNode.isAbsent() && base.learnsLimit();
        int min = learns ? minNode.integer(base.learnsLimit() ? base.minInFlightPerEndpoint() : 1, 1, 10_000) : max;
        if (min > max) {
            minNode.report(min + " is above maxInFlightPerEndpoint " + max + " (expected: at most that)");
            min = max;
        }
        return new AdmissionSettings(max, min, learns,
                admission.get("queue").integer(base.queue(), 0, 1_000_000),
                admission.get("maxQueueWait").duration(base.maxQueueWait()),
                admission.get("shedAtGpuUtilization").fraction(base.shedAtGpuUtilization()),
                admission.get("shedAtQueueDepth").integer(base.shedAtQueueDepth(), 1, 1_000_000),
                admission.get("perTenantQueueShare").fraction(base.perTenantQueueShare()));
    }
}
