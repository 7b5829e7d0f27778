/**
 * The shared store ({@code store.redis}): one Lettuce connection to Redis, its health and meters,
 * and the rate limits kept there. Every command is asynchronous; its answer comes on Lettuce's
 * threads and is handed to whoever waits on its own loop.
 */
package io.infergate.server.store;
