/** What the places that keep jobs and rate limits (this process, or a shared Redis) have in common. */
package io.infergate.core.store;
