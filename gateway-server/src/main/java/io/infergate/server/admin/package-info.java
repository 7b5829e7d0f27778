/** The admin port: health, readiness and Prometheus metrics. */
package io.infergate.server.admin;
