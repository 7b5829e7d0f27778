/**
 * Who sent a request: the tenant its API key belongs to, or the anonymous tenant where no key is
 * required, and which routes it may use. Keys are known only by their SHA-256 digests.
 */
package io.infergate.core.tenant;
