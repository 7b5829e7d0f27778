package io.infergate.core.config;

import java.util.OptionalLong;

/**
 * A tenant's rate limits on each route: requests, and generated tokens, per minute. Either may be
 * empty, meaning no limit of that kind; each route has its own allowance of both.
 */
public record RateLimits(OptionalLong requestsPerMinute, OptionalLong tokensPerMinute) {

    public static final RateLimits NONE = new RateLimits(OptionalLong.empty(), OptionalLong.empty());

    public RateLimits {
        if (requestsPerMinute == null || tokensPerMinute == null) {
            throw new IllegalArgumentException("use empty limits, not null");
        }
        requestsPerMinute.ifPresent(n -> requirePositive("requestsPerMinute", n));
        tokensPerMinute.ifPresent(n -> requirePositive("tokensPerMinute", n));
    }

    public static RateLimits of(long requestsPerMinute, long tokensPerMinute) {
        return new RateLimits(OptionalLong.of(requestsPerMinute), OptionalLong.of(tokensPerMinute));
    }

    public boolean isNone() {
        return requestsPerMinute.isEmpty() && tokensPerMinute.isEmpty();
    }

    private static void requirePositive(String name, long n) {
        if (n < 1) {
            throw new IllegalArgumentException(name + ": " + n + " (expected: >= 1)");
        }
    }
}
