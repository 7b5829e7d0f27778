package io.infergate.sim;

/** Which inference server the simulator's load signals imitate: metric names and the opt-in ORCA header. */
public enum Flavor {
    /** Text Generation Inference: {@code tgi_*} metrics, no ORCA header unless {@link LoadHeader#ORCA} asks. */
    TGI,
    /** vLLM: {@code vllm:*} metrics, and an ORCA header for requests carrying {@code endpoint-load-metrics-format}. */
    VLLM
}
