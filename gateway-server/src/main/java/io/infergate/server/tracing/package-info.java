/** OpenTelemetry traces: a span per exchange and per attempt, context to and from the client and the endpoints. */
package io.infergate.server.tracing;
