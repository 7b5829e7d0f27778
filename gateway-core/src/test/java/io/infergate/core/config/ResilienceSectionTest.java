package io.infergate.core.config;

import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.RetryPolicy;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ResilienceSectionTest {

    @Test
    void routeRetryAndBreakerOverrideTheDefaultsKeyByKey() throws ConfigException {
        GatewayConfig config = ConfigLoader.load("""
                defaults:
                  retry: { attempts: 3, on: [502, 503] }
                  breaker: { failures: 10 }
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    retry: { backoff: 50ms }
                    breaker: { openFor: 5s }
                    upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:3000" ] } ]
                """, Map.of());
        RouteConfig route = config.routes().get(0);
        assertEquals(new RetryPolicy(3, Duration.ofMillis(50), Duration.ofSeconds(5), 20, 3, Duration.ofSeconds(30),
                Set.of(502, 503)), route.retry());
        assertEquals(new BreakerSettings(10, Duration.ofSeconds(30), Duration.ofSeconds(5), 1), route.breaker());
    }

    @Test
    void builtInsAreTwoAttemptsAndFiveFailuresInThirtySeconds() throws ConfigException {
        RouteConfig route = ConfigLoader.load(ConfigFixtures.ONE_ROUTE, Map.of()).routes().get(0);
        assertEquals(RetryPolicy.DEFAULTS, route.retry());
        assertEquals(BreakerSettings.DEFAULTS, route.breaker());
    }

    @Test
    void badValuesAreReportedByPath() {
        List<String> problems = ConfigFixtures.problemsOf("""
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    retry: { attempts: 0, on: [200], atempts: 5 }
                    breaker: { failures: 0, openFor: 0s }
                    upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:3000" ] } ]
                """);
        assertEquals(List.of(
                "routes[0].retry.atempts: unknown key (did you mean \"attempts\"?)",
                "routes[0].retry.attempts: \"0\" is out of range (expected: 1-10)",
                "routes[0].retry.on[0]: \"200\" is out of range (expected: 400-599)",
                "routes[0].breaker.failures: \"0\" is out of range (expected: 1-10000)",
                "routes[0].breaker.openFor: \"0s\" must be positive"), problems);
    }
}
