/** The admin port: health, readiness, Prometheus metrics, upstream state, the status page and its feed, reloads. */
package io.infergate.server.admin;
