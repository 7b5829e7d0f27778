package io.infergate.core.ratelimit;

import io.infergate.core.tenant.Tenant;

import java.util.concurrent.CompletionStage;

/**
 * Where the tenants' buckets are kept: in this process ({@link RateLimiter}), or shared by every
 * gateway on one Redis. The local store decides at once ({@link #decideNow}); a shared one answers
 * later, on a thread of its own.
 */
public interface RateLimitStore {

    /**
     * Takes one request and {@code reservedTokens} tokens from {@code tenant}'s allowance on
     * {@code route}, both or neither. Fails with a
     * {@link io.infergate.core.store.StoreUnavailableException} when a shared store cannot be reached
     * and its policy is to refuse.
     */
    CompletionStage<Decision> acquire(Tenant tenant, String route, long reservedTokens);

    /**
     * {@link #acquire}'s decision at once, when this store can make it without waiting; null when only
     * {@link #acquire} can. The request path asks this first, so the local store costs no future.
     */
    default Decision decideNow(Tenant tenant, String route, long reservedTokens) {
        return null;
    }

    /** Settles a reservation; see {@link RateLimiter#correct}. Never waits, never fails. */
    void correct(Tenant tenant, String route, long reserved, long actual);
}
