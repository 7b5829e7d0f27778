package io.infergate.core.ratelimit;

import io.infergate.core.tenant.Tenant;

import java.util.concurrent.CompletionStage;

/**
 * Where the tenants' buckets are kept: in this process ({@link RateLimiter}), or shared by every
 * gateway on one Redis. The local store decides at once (its stage is already complete); a shared
 * one answers later, on a thread of its own.
 */
public interface RateLimitStore {

    /**
     * Takes one request and {@code reservedTokens} tokens from {@code tenant}'s allowance on
     * {@code route}, both or neither. Fails with a
     * {@link io.infergate.core.store.StoreUnavailableException} when a shared store cannot be reached
     * and its policy is to refuse.
     */
    CompletionStage<Decision> acquire(Tenant tenant, String route, long reservedTokens);

    /** Settles a reservation; see {@link RateLimiter#correct}. Never waits, never fails. */
    void correct(Tenant tenant, String route, long reserved, long actual);
}
