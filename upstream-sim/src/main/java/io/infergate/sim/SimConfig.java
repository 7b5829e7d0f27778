package io.infergate.sim;

import java.time.Duration;
import java.util.EnumSet;
import java.util.Set;

/** Everything a simulator is started with; see {@link UpstreamSim.Builder} for each setting's meaning. */
record SimConfig(String modelId, String host, int port, int maxBatch, int maxQueue, double tokensPerSecond,
                 Duration prefillPerToken, double batchSlowdown, Duration coldStart, ColdStartMode coldStartMode,
                 Duration scaleToZeroAfter, Set<LoadHeader> loadHeaders, Flavor flavor, Faults faults, long seed,
                 Duration keepAliveInterval, int maxTotalTokens, int defaultMaxNewTokens, int ioThreads,
                 Ticker ticker, boolean stampEvents) {

    SimConfig {
        require(modelId != null && !modelId.isBlank(), "modelId: " + modelId + " (expected: a model id)");
        require(port >= 0 && port <= 65535, "port: " + port + " (expected: 0..65535)");
        require(maxBatch >= 1, "maxBatch: " + maxBatch + " (expected: >= 1)");
        require(maxQueue >= 0, "maxQueue: " + maxQueue + " (expected: >= 0)");
        require(tokensPerSecond >= 0, "tokensPerSecond: " + tokensPerSecond + " (expected: >= 0)");
        require(!prefillPerToken.isNegative(), "prefillPerToken: " + prefillPerToken + " (expected: >= 0)");
        require(batchSlowdown > 0 && batchSlowdown <= 1, "batchSlowdown: " + batchSlowdown + " (expected: 0 < x <= 1)");
        require(!coldStart.isNegative(), "coldStart: " + coldStart + " (expected: >= 0)");
        require(!scaleToZeroAfter.isNegative(), "scaleToZeroAfter: " + scaleToZeroAfter + " (expected: >= 0, 0 = never)");
        require(keepAliveInterval.toMillis() >= 1, "keepAliveInterval: " + keepAliveInterval + " (expected: >= 1ms)");
        require(maxTotalTokens >= 2, "maxTotalTokens: " + maxTotalTokens + " (expected: >= 2)");
        require(defaultMaxNewTokens >= 1, "defaultMaxNewTokens: " + defaultMaxNewTokens + " (expected: >= 1)");
        require(ioThreads >= 1, "ioThreads: " + ioThreads + " (expected: >= 1)");
        loadHeaders = loadHeaders.isEmpty() ? Set.of() : Set.copyOf(EnumSet.copyOf(loadHeaders));
    }

    private static void require(boolean ok, String problem) {
        if (!ok) {
            throw new IllegalArgumentException(problem);
        }
    }

    /** The KV cache capacity in tokens reported as {@code tgi_batch_max_total_tokens}. */
    int kvCapacityTokens() {
        return maxBatch * 1024;
    }
}
