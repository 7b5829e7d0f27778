package io.infergate.core.config;

import java.time.Duration;

/**
 * How an upstream's cold starts are absorbed. A {@code 503} saying the model "is currently loading"
 * always marks an endpoint warming; with {@code scaleToZero}, so do any {@code 503} (HF Inference
 * Endpoints answer a plain one while a replica starts) and a refused connection (a self-hosted TGI
 * does not listen while it loads). While warming, one probe at a time goes to the endpoint, every
 * {@code probeEvery} or at its own estimate, and other requests wait up to {@code maxHold}.
 *
 * @param scaleUpTimeoutHeader send HF's {@code X-Scale-Up-Timeout} so the endpoint's proxy holds the request itself
 * @param keepWarm             a request on a schedule, so an endpoint set to scale to zero never does; null: none
 */
public record ColdStartConfig(boolean scaleToZero, Duration probeEvery, Duration maxHold, boolean scaleUpTimeoutHeader,
                              KeepWarm keepWarm) {

    public static final ColdStartConfig DEFAULTS =
            new ColdStartConfig(false, Duration.ofSeconds(5), Duration.ofSeconds(120), false, null);

    /** A {@code GET path} to every endpoint of the upstream, {@code every} so often. */
    public record KeepWarm(Duration every, String path) {}
}
