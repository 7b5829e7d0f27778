package io.infergate.sim;

/** Load reports the simulator adds to responses (non-streaming ones and the head of streaming ones). */
public enum LoadHeader {
    /** {@code endpoint-load-metrics: TEXT named_metrics.gpu_utilization=..., ...} (ORCA). */
    ORCA,
    /** {@code X-GPU-Utilization} and {@code X-Queue-Depth}. */
    GPU
}
