package io.infergate.core.config;

import io.infergate.core.admission.AdmissionSettings;

import java.util.List;

/** Binds an {@code admission:} map over a base, key by key, like {@link TimeoutsBinder}. */
final class AdmissionBinder {

    static final List<String> KEYS = List.of("maxInFlightPerEndpoint", "queue", "maxQueueWait", "shedAtGpuUtilization",
            "shedAtQueueDepth", "perTenantQueueShare");

    private AdmissionBinder() {}

    static AdmissionSettings bind(ConfigNode admission, AdmissionSettings base) {
        admission.checkMap(KEYS);
        return new AdmissionSettings(
                admission.get("maxInFlightPerEndpoint").integer(base.maxInFlightPerEndpoint(), 1, 10_000),
                admission.get("queue").integer(base.queue(), 0, 1_000_000),
                admission.get("maxQueueWait").duration(base.maxQueueWait()),
                admission.get("shedAtGpuUtilization").fraction(base.shedAtGpuUtilization()),
                admission.get("shedAtQueueDepth").integer(base.shedAtQueueDepth(), 1, 1_000_000),
                admission.get("perTenantQueueShare").fraction(base.perTenantQueueShare()));
    }
}
