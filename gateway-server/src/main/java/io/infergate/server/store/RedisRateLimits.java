package io.infergate.server.store;

import io.infergate.core.config.RateLimits;
import io.infergate.core.config.StoreConfig;
import io.infergate.core.ratelimit.Decision;
import io.infergate.core.ratelimit.RateLimitStore;
import io.infergate.core.ratelimit.SharedBuckets;
import io.infergate.core.store.StoreUnavailableException;
import io.infergate.core.tenant.Tenant;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;

/**
 * The tenants' buckets on the shared Redis ({@link SharedBuckets}): every gateway on it draws from
 * one pair per tenant and route. A decision is one script, one round trip; a settlement that
 * changes anything one more, sent and not waited for. While the store cannot be reached, {@code store.onUnavailable} decides:
 * {@code allow} lets the request through unlimited (nothing reserved, so nothing is settled),
 * {@code deny} refuses it; either way it is counted, and the outage logged once.
 */
public final class RedisRateLimits implements RateLimitStore {

    private static final Script SCRIPT = Script.of(SharedBuckets.SCRIPT);
    private static final Decision UNCHECKED = new Decision(true, 0, 0, null, null);

    private final RedisStore store;
    private final boolean allowWhenUnavailable;

    public RedisRateLimits(RedisStore store, StoreConfig.OnUnavailable onUnavailable) {
        this.store = store;
        this.allowWhenUnavailable = onUnavailable == StoreConfig.OnUnavailable.ALLOW;
    }

    @Override
    public CompletionStage<Decision> acquire(Tenant tenant, String route, long reservedTokens) {
        RateLimits limits = tenant.limits();
        if (limits.isNone()) {
            return CompletableFuture.completedFuture(UNCHECKED);
        }
        return store.script("rate_limit", SCRIPT, new String[] {key(tenant, route)},
                        SharedBuckets.take(limits, reservedTokens))
                .handle((reply, error) -> {
                    if (error == null) {
                        return SharedBuckets.decision(limits, reservedTokens, reply);
                    }
                    store.meters().decidedWithout(allowWhenUnavailable);
                    store.health().decidedWithout();
                    if (allowWhenUnavailable) {
                        return UNCHECKED;
                    }
                    Throwable cause = error instanceof CompletionException && error.getCause() != null
                            ? error.getCause() : error;
                    throw cause instanceof StoreUnavailableException unavailable ? unavailable
                            : new StoreUnavailableException("rate limit: " + cause.getMessage(), cause);
                });
    }

    @Override
    public void correct(Tenant tenant, String route, long reserved, long actual) {
        RateLimits limits = tenant.limits();
        if (limits.tokensPerMinute().isEmpty() || reserved <= 0 || actual == reserved) {
            return; // nothing to give back or take: no round trip
        }
        // A settlement that cannot be made is lost, in the tenant's favour or not: the store's
        // errors meter counts it, and the bucket is whole again within a minute anyway.
        store.script("rate_limit_settle", SCRIPT, new String[] {key(tenant, route)},
                SharedBuckets.settle(limits, reserved, actual));
    }

    private String key(Tenant tenant, String route) {
        return SharedBuckets.key(store.keyPrefix(), tenant, route);
    }
}
