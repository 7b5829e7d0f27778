package io.infergate.core.config;

import io.infergate.core.admission.AdmissionSettings;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;

class AdmissionSectionTest {

    private static final String UPSTREAMS = "    upstreams: [ { name: u, endpoints: [ \"http://127.0.0.1:3000\" ] } ]\n";

    @Test
    void withoutAdmissionKeysARouteTakesTheBuiltInSettings() throws ConfigException {
        GatewayConfig config = load(ConfigFixtures.ONE_ROUTE);

        assertEquals(AdmissionSettings.DEFAULTS, config.defaults().admission());
        assertEquals(AdmissionSettings.DEFAULTS, config.routes().get(0).admission());
    }

    @Test
    void everyKeyIsBound() throws ConfigException {
        RouteConfig route = load("""
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    admission:
                      maxInFlightPerEndpoint: 4
                      queue: 64
                      maxQueueWait: 10s
                      shedAtGpuUtilization: 0.9
                      shedAtQueueDepth: 12
                      perTenantQueueShare: 0.25
                """ + UPSTREAMS).routes().get(0);

        assertEquals(new AdmissionSettings(4, 64, Duration.ofSeconds(10), 0.9, 12, 0.25), route.admission());
    }

    @Test
    void aRouteOverridesTheDefaultsKeyByKey() throws ConfigException {
        GatewayConfig config = load("""
                defaults:
                  admission: { maxInFlightPerEndpoint: 2, shedAtGpuUtilization: 0.8 }
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    admission: { queue: 0, shedAtGpuUtilization: 1 }
                """ + UPSTREAMS);

        assertEquals(new AdmissionSettings(2, 256, Duration.ofSeconds(30), 0.8, 32, 0.5), config.defaults().admission());
        assertEquals(new AdmissionSettings(2, 0, Duration.ofSeconds(30), 1.0, 32, 0.5), config.routes().get(0).admission());
    }

    @Test
    void maxInFlightAloneFixesTheLimitAndALowerBoundMakesItLearned() throws ConfigException {
        GatewayConfig config = load("""
                defaults:
                  admission: { maxInFlightPerEndpoint: 16 }
                routes:
                  - name: fixed
                    match: { pathPrefix: /f/ }
                """ + UPSTREAMS + """
                  - name: learned
                    match: { pathPrefix: /l/ }
                    admission: { minInFlightPerEndpoint: 2 }
                """ + UPSTREAMS);

        assertEquals(new AdmissionSettings(16, 256, Duration.ofSeconds(30), 0.95, 32, 0.5), config.routes().get(0).admission());
        assertEquals(new AdmissionSettings(16, 2, true, 256, Duration.ofSeconds(30), 0.95, 32, 0.5),
                config.routes().get(1).admission());
        assertEquals(new AdmissionSettings(64, 4, true, 256, Duration.ofSeconds(30), 0.95, 32, 0.5), load("""
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    admission: { minInFlightPerEndpoint: 4, maxInFlightPerEndpoint: 64 }
                """ + UPSTREAMS).routes().get(0).admission());
        assertEquals(List.of("routes[0].admission.minInFlightPerEndpoint: 32 is above maxInFlightPerEndpoint 16 (expected: at most that)"),
                problemsOf("""
                        routes:
                          - name: a
                            match: { pathPrefix: / }
                            admission: { minInFlightPerEndpoint: 32, maxInFlightPerEndpoint: 16 }
                        """ + UPSTREAMS));
    }

    @Test
    void badValuesAreReportedByPath() {
        List<String> problems = problemsOf("""
                defaults:
                  admission: { maxInFlightPerEndpoint: 0, shedAtGpuUtilization: 95 }
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    admission:
                      queue: -1
                      maxQueueWait: -1s
                      shedAtGpuUtilization: 95%
                      shedAtQueueDepth: 0
                      perTenantQueueShare: 0
                      maxInflight: 3
                """ + UPSTREAMS);

        assertEquals(List.of(
                "defaults.admission.maxInFlightPerEndpoint: \"0\" is out of range (expected: 1-10000)",
                "defaults.admission.shedAtGpuUtilization: \"95\" is out of range (expected: more than 0 and at most 1, such as 0.95)",
                "routes[0].admission.maxInflight: unknown key (expected one of: maxInFlightPerEndpoint, minInFlightPerEndpoint,"
                        + " queue, maxQueueWait, shedAtGpuUtilization, shedAtQueueDepth, perTenantQueueShare)",
                "routes[0].admission.queue: \"-1\" is out of range (expected: 0-1000000)",
                "routes[0].admission.maxQueueWait: \"-1s\" must not be negative",
                "routes[0].admission.shedAtGpuUtilization: \"95%\" is not a number (expected: a fraction such as 0.95)",
                "routes[0].admission.shedAtQueueDepth: \"0\" is out of range (expected: 1-1000000)",
                "routes[0].admission.perTenantQueueShare: \"0\" is out of range (expected: more than 0 and at most 1, such as 0.95)"),
                problems);
    }

    @Test
    void aFractionIsAPlainDecimal() {
        assertEquals(List.of("routes[0].admission.perTenantQueueShare: \"NaN\" is not a number (expected: a fraction such as 0.95)"),
                problemsOf("""
                        routes:
                          - name: a
                            match: { pathPrefix: / }
                            admission: { perTenantQueueShare: "NaN" }
                        """ + UPSTREAMS));
    }

    @Test
    void reserveTokensDefaultsTo256AndIsOverriddenPerRoute() throws ConfigException {
        GatewayConfig config = load("""
                defaults:
                  reserveTokens: 512
                routes:
                  - name: a
                    match: { pathPrefix: /a/ }
                """ + UPSTREAMS + """
                  - name: b
                    match: { pathPrefix: /b/ }
                    reserveTokens: 0
                """ + UPSTREAMS);

        assertEquals(256, load(ConfigFixtures.ONE_ROUTE).routes().get(0).reserveTokens());
        assertEquals(512, config.routes().get(0).reserveTokens());
        assertEquals(0, config.routes().get(1).reserveTokens());
        assertEquals(List.of("routes[0].reserveTokens: \"-1\" is out of range (expected: 0-10000000)"), problemsOf("""
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    reserveTokens: -1
                """ + UPSTREAMS));
    }
}
