package io.infergate.core.config;

import io.infergate.core.load.NamedLoadHeaders;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class LoadSectionTest {

    private static final String UPSTREAMS = "    upstreams: [ { name: u, endpoints: [ \"http://127.0.0.1:3000\" ] } ]\n";

    private static String route(String load) {
        return """
                routes:
                  - name: a
                    match: { pathPrefix: / }
                """ + "    load: " + load + "\n" + UPSTREAMS;
    }

    @Test
    void byDefaultNoHeadersAreNamedNothingIsPolledAndReportsCountForFiveSeconds() throws ConfigException {
        LoadConfig load = load(ConfigFixtures.ONE_ROUTE).routes().get(0).load();

        assertEquals(LoadConfig.DEFAULTS, load);
        assertEquals(new NamedLoadHeaders(null, null), load.headers());
        assertNull(load.poll());
        assertEquals(Duration.ofSeconds(5), load.staleAfter());
    }

    @Test
    void headersPollAndStaleAfterAreBound() throws ConfigException {
        LoadConfig load = load(route("""
                { headers: { gpuUtilization: X-GPU-Utilization, queueDepth: X-Queue-Depth },
                      poll: { every: 1s, path: /stats, timeout: 250ms }, staleAfter: 3s }""")).routes().get(0).load();

        assertEquals(new LoadConfig(new NamedLoadHeaders("X-GPU-Utilization", "X-Queue-Depth"),
                new LoadConfig.Poll(Duration.ofSeconds(1), "/stats", Duration.ofMillis(250)), Duration.ofSeconds(3)), load);
    }

    @Test
    void aPollNeedsOnlyItsIntervalAndReadsMetricsWithinHalfASecond() throws ConfigException {
        LoadConfig.Poll poll = load(route("{ poll: { every: 2s } }")).routes().get(0).load().poll();

        assertEquals(new LoadConfig.Poll(Duration.ofSeconds(2), "/metrics", Duration.ofMillis(500)), poll);
    }

    @Test
    void aRouteOverridesTheDefaultsKeyByKeyAndCanTurnTheirPollOff() throws ConfigException {
        GatewayConfig config = load("""
                defaults:
                  load: { headers: { gpuUtilization: X-GPU }, poll: { every: 1s, path: /m }, staleAfter: 4s }
                routes:
                  - name: a
                    match: { pathPrefix: /a/ }
                    load: { headers: { queueDepth: X-Queue }, poll: { timeout: 100ms } }
                """ + UPSTREAMS + """
                  - name: b
                    match: { pathPrefix: /b/ }
                    load: { poll: { every: 0s } }
                """ + UPSTREAMS);

        assertEquals(new LoadConfig(new NamedLoadHeaders("X-GPU", "X-Queue"),
                new LoadConfig.Poll(Duration.ofSeconds(1), "/m", Duration.ofMillis(100)), Duration.ofSeconds(4)),
                config.routes().get(0).load());
        assertNull(config.routes().get(1).load().poll());
        assertEquals(new NamedLoadHeaders("X-GPU", null), config.routes().get(1).load().headers());
    }

    @Test
    void badValuesAreReportedByPath() {
        assertEquals(List.of(
                "routes[0].load.headers.queue: unknown key (expected one of: gpuUtilization, queueDepth)",
                "routes[0].load.headers.gpuUtilization: \"X GPU\" is not a header name",
                "routes[0].load.staleAfter: \"0s\" must be positive",
                "routes[0].load.poll.every: required",
                "routes[0].load.poll.path: \"metrics\" must start with /"),
                problemsOf(route("""
                        { headers: { gpuUtilization: "X GPU", queue: X-Q }, poll: { path: metrics }, staleAfter: 0s }""")));
    }

    @Test
    void aPollMustNotOutliveItsIntervalNorReadLessOftenThanReportsGoStale() {
        assertEquals(List.of("routes[0].load.poll.timeout: \"2s\" is longer than every (1s)"),
                problemsOf(route("{ poll: { every: 1s, timeout: 2s } }")));
        assertEquals(List.of("routes[0].load.poll.every: \"200ms\" is shorter than timeout (500ms)"),
                problemsOf(route("{ poll: { every: 200ms } }")));
        assertEquals(List.of("routes[0].load.poll.every: \"10s\" is longer than staleAfter (5s):"
                        + " polled load would lapse between two polls"),
                problemsOf(route("{ poll: { every: 10s } }")));
        assertEquals(List.of("routes[0].load.staleAfter: \"2s\" is shorter than poll.every (3s):"
                        + " polled load would lapse between two polls"),
                problemsOf(route("{ poll: { every: 3s }, staleAfter: 2s }")));
    }

    @Test
    void aRouteThatShortensStaleAfterBelowTheDefaultPollIsToldAtItsOwnKey() {
        assertEquals(List.of("routes[0].load.staleAfter: \"1s\" is shorter than poll.every (2s):"
                        + " polled load would lapse between two polls"),
                problemsOf("""
                        defaults:
                          load: { poll: { every: 2s } }
                        """ + route("{ staleAfter: 1s }")));
    }
}
