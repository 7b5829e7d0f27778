package io.infergate.core.config;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HeartbeatSectionTest {

    private static final String TWO_ROUTES = """
            defaults:
              heartbeat: { interval: 5s }
            routes:
              - name: a
                match: { pathPrefix: /a/ }
                heartbeat: { earlyHeaders: true }
                upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:3000" ] } ]
              - name: b
                match: { pathPrefix: /b/ }
                upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:3000" ] } ]
            """;

    @Test
    void routeHeartbeatOverridesTheDefaultsKeyByKey() throws ConfigException {
        GatewayConfig config = ConfigLoader.load(TWO_ROUTES, Map.of());
        assertEquals(new HeartbeatConfig(Duration.ofSeconds(5), true), config.routes().get(0).heartbeat());
        assertEquals(new HeartbeatConfig(Duration.ofSeconds(5), false), config.routes().get(1).heartbeat());
    }

    @Test
    void builtInHeartbeatIsEveryFifteenSecondsWithoutEarlyHeaders() throws ConfigException {
        GatewayConfig config = ConfigLoader.load(ConfigFixtures.ONE_ROUTE, Map.of());
        HeartbeatConfig heartbeat = config.routes().get(0).heartbeat();
        assertEquals(Duration.ofSeconds(15), heartbeat.interval());
        assertFalse(heartbeat.earlyHeaders());
        assertTrue(config.defaults().heartbeat().equals(HeartbeatConfig.DEFAULTS));
    }

    @Test
    void badHeartbeatValuesAreReportedByPath() {
        List<String> problems = ConfigFixtures.problemsOf("""
                defaults:
                  heartbeat: { interval: 0s, earlyheaders: true }
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    heartbeat: { earlyHeaders: maybe }
                    upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:3000" ] } ]
                """);
        assertEquals(List.of(
                "defaults.heartbeat.earlyheaders: unknown key (did you mean \"earlyHeaders\"?)",
                "defaults.heartbeat.interval: \"0s\" must be positive",
                "routes[0].heartbeat.earlyHeaders: \"maybe\" is not a boolean (expected: true or false)"), problems);
    }
}
