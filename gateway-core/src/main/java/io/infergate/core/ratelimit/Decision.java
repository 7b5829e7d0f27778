package io.infergate.core.ratelimit;

/**
 * Whether a request may go on under its tenant's rate limits on a route.
 *
 * @param reservedTokens    the tokens taken from the tenant's token allowance (0 without a token
 *                          limit); hand it back to {@link RateLimiter#correct} with the tokens generated
 * @param retryAfterSeconds when refused, the whole seconds until the request would be let through, at least 1; else 0
 * @param rateLimitPolicy   the value of the {@code RateLimit-Policy} header; null when the tenant has no limits
 * @param rateLimit         the value of the {@code RateLimit} header; null when the tenant has no limits
 */
public record Decision(boolean allowed, long reservedTokens, long retryAfterSeconds, String rateLimitPolicy,
                       String rateLimit) {

    static final Decision UNLIMITED = new Decision(true, 0, 0, null, null);

    public Decision {
        if (allowed != (retryAfterSeconds == 0) || reservedTokens < 0 || (!allowed && reservedTokens != 0)) {
            throw new IllegalArgumentException("allowed with no wait, refused with one and nothing reserved");
        }
    }
}
