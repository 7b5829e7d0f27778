package io.infergate.core.ratelimit;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.github.bucket4j.TimeMeter;
import io.infergate.core.Ticker;
import io.infergate.core.config.RateLimits;
import io.infergate.core.tenant.Tenant;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Tenants' rate limits, in local Bucket4j buckets: one pair (requests, tokens) for each tenant and
 * route, made on first use. Each bucket holds a minute's allowance and refills it evenly over the
 * minute, so a tenant may burst to its whole allowance and then goes at its steady rate.
 * <p>
 * The buckets are kept in a Caffeine cache that forgets a pair after a minute without use, and past
 * {@link #DEFAULT_MAX_BUCKETS} pairs. Forgetting after a minute is exact: a bucket left alone for a
 * whole window has refilled completely, just like the new one that takes its place. So the cache
 * bounds memory (pairs of tenants that come and go, and of tenants a reload removed) without changing
 * a single decision. Only the size bound can, by forgetting a bucket that was not yet full, in the
 * client's favour, and only with more pairs in use within a minute than the bound allows. A plain
 * concurrent map would hold every pair ever used until the process ends.
 * <p>
 * Tokens are reserved before the request goes out, from its {@code max_new_tokens} /
 * {@code max_tokens} (see {@link TokenReservation}), and {@link #correct corrected} when the response
 * tells how many were generated. A reservation is at least one token, so that a tenant whose token
 * allowance is spent waits like one whose request allowance is; and at most a minute's allowance,
 * since a request asking for more could otherwise never pass: the correction takes the rest.
 */
public final class RateLimiter implements RateLimitStore {

    public static final long DEFAULT_MAX_BUCKETS = 100_000;
    static final Duration WINDOW = Duration.ofMinutes(1);

    private final TimeMeter time;
    private final Cache<Key, TenantBuckets> buckets;

    public RateLimiter(Ticker ticker) {
        this(ticker, DEFAULT_MAX_BUCKETS);
    }

    public RateLimiter(Ticker ticker, long maxBuckets) {
        this.time = new TickerTimeMeter(ticker);
        this.buckets = Caffeine.newBuilder()
                .maximumSize(maxBuckets)
                .expireAfterAccess(WINDOW)
                .ticker(ticker::nanoTime)
                .executor(Runnable::run) // upkeep is small: on the caller's thread it needs no pool and runs in order
                .build();
    }

    /**
     * Takes one request and {@code reservedTokens} tokens from {@code tenant}'s allowance on
     * {@code route}, both or neither.
     *
     * @param reservedTokens the most tokens the request may generate, clamped to 1 and to a minute's allowance
     */
    public Decision tryAcquire(Tenant tenant, String route, long reservedTokens) {
        RateLimits limits = tenant.limits();
        if (limits.isNone()) {
            return Decision.UNLIMITED;
        }
        return bucketsOf(tenant, route).tryAcquire(reservedTokens);
    }

    /** {@link #tryAcquire}, decided at once. */
    @Override
    public CompletionStage<Decision> acquire(Tenant tenant, String route, long reservedTokens) {
        return CompletableFuture.completedFuture(tryAcquire(tenant, route, reservedTokens));
    }

    @Override
    public Decision decideNow(Tenant tenant, String route, long reservedTokens) {
        return tryAcquire(tenant, route, reservedTokens);
    }

    /**
     * Settles a reservation once the response tells how many tokens were generated: gives back what
     * was reserved and not used, or takes what was used beyond it. Giving back never fills the bucket
     * past its allowance. Taking more takes only what the bucket holds, never below empty: a request
     * already served is not held against the tenant's next minute, and a reservation is meant to
     * come close (it is the request's own token limit); so one over-long answer is forgiven in part.
     *
     * @param reserved the request's {@link Decision#reservedTokens()} (or what was asked; it is clamped alike)
     * @param actual   the tokens the upstream generated
     */
    @Override
    public void correct(Tenant tenant, String route, long reserved, long actual) {
        if (tenant.limits().tokensPerMinute().isEmpty()) {
            return;
        }
        bucketsOf(tenant, route).correct(reserved, actual);
    }

    /** How many tenant-and-route pairs have buckets now; for tests and a gauge. */
    long bucketCount() {
        buckets.cleanUp();
        return buckets.estimatedSize();
    }

    private TenantBuckets bucketsOf(Tenant tenant, String route) {
        RateLimits limits = tenant.limits();
        Key key = new Key(tenant.name(), route);
        TenantBuckets held = buckets.get(key, k -> new TenantBuckets(limits, time));
        if (held.configured().equals(limits)) {
            return held;
        }
        // A reload changed the tenant's limits: new buckets, holding what the old ones held.
        return buckets.asMap().compute(key, (k, before) -> before != null && before.configured().equals(limits)
                ? before : new TenantBuckets(limits, time, before));
    }

    /** A tenant's buckets on a route are the same across reloads while both keep their names. */
    private record Key(String tenant, String route) {}

    /** Bucket4j's clock, read from the gateway's {@link Ticker} so that tests move it exactly. */
    private static final class TickerTimeMeter implements TimeMeter {

        private final Ticker ticker;

        TickerTimeMeter(Ticker ticker) {
            this.ticker = ticker;
        }

        @Override
        public long currentTimeNanos() {
            return ticker.nanoTime();
        }

        @Override
        public boolean isWallClockBased() {
            return false;
        }
    }
}
