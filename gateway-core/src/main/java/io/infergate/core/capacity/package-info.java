/**
 * Capacity learned, not guessed: each endpoint's concurrency limit, grown while the endpoint does
 * not queue inside itself and cut as soon as it does, from what it says about itself first (TGI's
 * timing headers, reported queue depth, overload answers) and its latency second. Plain decisions
 * on an injected clock; the server feeds the samples and ticks the windows.
 */
package io.infergate.core.capacity;
