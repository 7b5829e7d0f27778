package io.infergate.core.config;

import io.infergate.core.resilience.RetryPolicy;

import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/** Binds a {@code retry:} map over a base, key by key, like {@link TimeoutsBinder}. */
final class RetryBinder {

    static final List<String> KEYS = List.of(
            "attempts", "backoff", "maxBackoff", "budgetPercent", "minRetriesPerSecond", "maxRetryAfter", "on");

    private RetryBinder() {}

    static RetryPolicy bind(ConfigNode retry, RetryPolicy base) {
        retry.checkMap(KEYS);
        return new RetryPolicy(
                retry.get("attempts").integer(base.attempts(), 1, 10),
                retry.get("backoff").duration(base.backoff()),
                retry.get("maxBackoff").duration(base.maxBackoff()),
                retry.get("budgetPercent").integer(base.budgetPercent(), 0, 100),
                retry.get("minRetriesPerSecond").integer(base.minRetriesPerSecond(), 0, 1000),
                retry.get("maxRetryAfter").duration(base.maxRetryAfter()),
                statuses(retry.get("on"), base.on()));
    }

    private static Set<Integer> statuses(ConfigNode on, Set<Integer> base) {
        if (on.isAbsent()) {
            return base;
        }
        Set<Integer> statuses = new LinkedHashSet<>();
        for (ConfigNode status : on.requiredItems()) {
            statuses.add(status.integer(500, 400, 599));
        }
        return statuses;
    }
}
