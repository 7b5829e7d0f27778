package io.infergate.core.error;

import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GatewayErrorTest {

    @Test
    void tableMatchesTheDocumentedStatuses() {
        Map<String, Integer> documented = Map.ofEntries(
                Map.entry("connect_timeout", 502), Map.entry("connect_failed", 502),
                Map.entry("first_byte_timeout", 504), Map.entry("deadline_exceeded", 504),
                Map.entry("upstream_reset", 502), Map.entry("upstream_protocol", 502),
                Map.entry("shed_overload", 429), Map.entry("queue_full", 429), Map.entry("rate_limited", 429),
                Map.entry("breaker_open", 502), Map.entry("shutdown", 503),
                Map.entry("store_unavailable", 503),
                Map.entry("unauthorized", 401), Map.entry("forbidden", 403),
                Map.entry("no_route", 404), Map.entry("bad_request", 400), Map.entry("payload_too_large", 413),
                Map.entry("headers_too_large", 431), Map.entry("request_timeout", 408));
        documented.forEach((cause, status) -> {
            GatewayError error = GatewayError.valueOf(cause.toUpperCase(java.util.Locale.ROOT));
            assertEquals(cause, error.cause());
            assertEquals(status, error.status(), cause);
        });
    }

    @Test
    void timeoutsOfTheUpstreamAreBlamedOnTheUpstreamAndTheDeadlineOnTheGateway() {
        assertEquals(GatewayError.Layer.UPSTREAM, GatewayError.CONNECT_TIMEOUT.layer());
        assertEquals(GatewayError.Layer.UPSTREAM, GatewayError.FIRST_BYTE_TIMEOUT.layer());
        assertEquals(GatewayError.Layer.UPSTREAM, GatewayError.UPSTREAM_PROTOCOL.layer());
        assertEquals(GatewayError.Layer.GATEWAY, GatewayError.DEADLINE_EXCEEDED.layer());
        assertEquals(GatewayError.Layer.GATEWAY, GatewayError.SHUTDOWN.layer());
        assertEquals(GatewayError.Layer.CLIENT, GatewayError.PAYLOAD_TOO_LARGE.layer());
        assertEquals("upstream", GatewayError.Layer.UPSTREAM.tag());
    }
}
