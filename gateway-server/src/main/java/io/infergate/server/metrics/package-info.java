/** Micrometer binding of the gateway's meters. */
package io.infergate.server.metrics;
