/** What the gateway measures, as an interface the server binds to a registry. */
package io.infergate.core.metrics;
