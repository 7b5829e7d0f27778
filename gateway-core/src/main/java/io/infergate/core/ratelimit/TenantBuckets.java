package io.infergate.core.ratelimit;

import io.github.bucket4j.Bucket;
import io.github.bucket4j.EstimationProbe;
import io.github.bucket4j.TimeMeter;
import io.github.bucket4j.local.SynchronizationStrategy;
import io.infergate.core.config.RateLimits;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * One tenant's buckets on one route. Both are checked and taken from under one lock, so a request
 * takes from both or from neither, and Bucket4j's own synchronization is off.
 */
final class TenantBuckets {

    private static final long WINDOW_SECONDS = RateLimiter.WINDOW.toSeconds();
    private static final long NANOS_PER_SECOND = TimeUnit.SECONDS.toNanos(1);

    private final RateLimits configured;
    private final Limit requests; // null: no request limit
    private final Limit tokens;   // null: no token limit
    private final String policy;

    TenantBuckets(RateLimits limits, TimeMeter time) {
        this(limits, time, null);
    }

    /**
     * @param before the tenant's buckets on the route under the limits a reload replaced, or null:
     *               what they hold carries over, up to the new allowance, so that a reload never
     *               hands out a fresh minute; a limit new to the tenant starts full
     */
    TenantBuckets(RateLimits limits, TimeMeter time, TenantBuckets before) {
        this.configured = limits;
        this.requests = limits.requestsPerMinute().isPresent() ? new Limit("requests",
                limits.requestsPerMinute().getAsLong(), before == null ? null : before.held(before.requests), time) : null;
        this.tokens = limits.tokensPerMinute().isPresent() ? new Limit("tokens",
                limits.tokensPerMinute().getAsLong(), before == null ? null : before.held(before.tokens), time) : null;
        this.policy = RateLimitHeaders.policy(limits(), WINDOW_SECONDS);
    }

    /** The limits these buckets were made for. */
    RateLimits configured() {
        return configured;
    }

    private synchronized Long held(Limit limit) {
        return limit == null ? null : limit.available();
    }

    synchronized Decision tryAcquire(long reservedTokens) {
        long reserve = tokens == null ? 0 : tokens.clamp(reservedTokens);
        long waitNanos = 0;
        if (requests != null) {
            waitNanos = requests.nanosUntil(1);
        }
        if (tokens != null) {
            waitNanos = Math.max(waitNanos, tokens.nanosUntil(reserve));
        }
        if (waitNanos == 0) {
            if (requests != null) {
                requests.take(1);
            }
            if (tokens != null) {
                tokens.take(reserve);
            }
            return new Decision(true, reserve, 0, policy, rateLimit(Long.MAX_VALUE));
        }
        long retryAfter = Math.max(1, ceilSeconds(waitNanos));
        return new Decision(false, 0, retryAfter, policy, rateLimit(retryAfter));
    }

    synchronized void correct(long reserved, long actual) {
        if (tokens == null) {
            return;
        }
        long taken = tokens.clamp(reserved);
        long used = Math.max(0, actual);
        if (used < taken) {
            tokens.bucket.addTokens(taken - used);
        } else if (used > taken) {
            tokens.bucket.tryConsumeAsMuchAsPossible(used - taken);
        }
    }

    /** The {@code RateLimit} value now, no effective window longer than {@code maxSeconds}. */
    private String rateLimit(long maxSeconds) {
        List<RateLimitHeaders.Remaining> remaining = new ArrayList<>(2);
        for (Limit limit : limits()) {
            remaining.add(new RateLimitHeaders.Remaining(limit.name, limit.available(),
                    Math.min(maxSeconds, limit.secondsUntilFull())));
        }
        return RateLimitHeaders.rateLimit(remaining);
    }

    private List<Limit> limits() {
        List<Limit> limits = new ArrayList<>(2);
        if (requests != null) {
            limits.add(requests);
        }
        if (tokens != null) {
            limits.add(tokens);
        }
        return limits;
    }

    private static long ceilSeconds(long nanos) {
        return (nanos + NANOS_PER_SECOND - 1) / NANOS_PER_SECOND;
    }

    /** One kind of allowance: {@code perMinute} units, refilled evenly over the minute. */
    static final class Limit implements RateLimitHeaders.Quota {

        final String name;
        final long perMinute;
        final Bucket bucket;

        /** @param held what the bucket holds at first, at most {@code perMinute}; null: full */
        Limit(String name, long perMinute, Long held, TimeMeter time) {
            this.name = name;
            this.perMinute = perMinute;
            long initial = held == null ? perMinute : Math.min(held, perMinute);
            this.bucket = Bucket.builder()
                    .addLimit(limit -> limit.capacity(perMinute).refillGreedy(perMinute, RateLimiter.WINDOW).initialTokens(initial))
                    .withCustomTimePrecision(time)
                    .withSynchronizationStrategy(SynchronizationStrategy.NONE)
                    .build();
        }

        @Override
        public String name() {
            return name;
        }

        @Override
        public long quota() {
            return perMinute;
        }

        long clamp(long amount) {
            return Math.min(Math.max(amount, 1), perMinute);
        }

        /** Nanoseconds until {@code amount} can be taken; 0 when it can now. */
        long nanosUntil(long amount) {
            EstimationProbe probe = bucket.estimateAbilityToConsume(amount);
            return probe.canBeConsumed() ? 0 : Math.max(1, probe.getNanosToWaitForRefill());
        }

        void take(long amount) {
            if (!bucket.tryConsume(amount)) {
                throw new IllegalStateException(name + ": " + amount + " estimated available, then not");
            }
        }

        long available() {
            return Math.max(0, bucket.getAvailableTokens());
        }

        /**
         * Whole seconds until the bucket is full again: what is missing, at the refill rate, rounded up.
         * In doubles, exact for any whole result and any allowance below 2^53.
         */
        long secondsUntilFull() {
            long missing = perMinute - available();
            return missing <= 0 ? 0 : (long) Math.ceil((double) missing * WINDOW_SECONDS / perMinute);
        }
    }
}
