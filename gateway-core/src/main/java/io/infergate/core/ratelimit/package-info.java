/**
 * Tenants' rate limits: requests and generated tokens per minute, in local token buckets, one pair
 * per tenant and route, and the IETF {@code RateLimit-Policy} / {@code RateLimit} headers that tell
 * a client where it stands. Rate limiting runs before admission.
 */
package io.infergate.core.ratelimit;
