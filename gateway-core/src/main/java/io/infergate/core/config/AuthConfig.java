package io.infergate.core.config;

import io.infergate.core.admission.Tier;

/**
 * Whether clients must present a tenant's API key. When not {@code required}, a request without a
 * key is served as the anonymous tenant, at {@code anonymousTier} and within
 * {@code anonymousLimits}, which all such requests share; a request with a key that matches no
 * tenant is refused either way, so a mistyped key is found out rather than served at a lower tier.
 */
public record AuthConfig(boolean required, Tier anonymousTier, RateLimits anonymousLimits) {

    public static final AuthConfig DEFAULTS = new AuthConfig(false, Tier.STANDARD, RateLimits.NONE);

    public AuthConfig {
        if (anonymousTier == null || anonymousLimits == null) {
            throw new IllegalArgumentException("anonymousTier and anonymousLimits are required");
        }
    }
}
