package io.infergate.sim;

/** What a client sees while the simulated replica loads its model. */
public enum ColdStartMode {
    /** A dedicated Inference Endpoint: the HF proxy answers 503, or holds requests sending {@code X-Scale-Up-Timeout}. */
    HF_PROXY,
    /** TGI itself: the port refuses connections until the model is loaded. */
    REFUSE,
    /** The legacy serverless Inference API: 503 with {@code "estimated_time"}, or held with {@code x-wait-for-model: true}. */
    SERVERLESS
}
