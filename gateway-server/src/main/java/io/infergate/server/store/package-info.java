/**
 * The shared store ({@code store.redis}): one Lettuce connection to Redis, its health and meters,
 * and the rate limits and jobs kept there (each multi-key step one Lua script, beside this package's
 * classes under {@code jobs/}). Every command is asynchronous; its answer comes on Lettuce's
 * threads and is handed to whoever waits on its own loop.
 */
package io.infergate.server.store;
