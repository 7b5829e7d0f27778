package io.infergate.core.route;

import io.infergate.core.FakeTicker;
import io.infergate.core.admission.AdmissionController;
import io.infergate.core.admission.Request;
import io.infergate.core.admission.Ticket;
import io.infergate.core.admission.Tier;
import io.infergate.core.capacity.ConcurrencyLimit;
import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.recovery.ContinuationStyle;
import io.infergate.core.resilience.CircuitBreaker;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A reload's table: state carried over by identity where the identity survives, and only there. */
class RouteTableReloadTest {

    private final FakeTicker ticker = new FakeTicker();

    private RouteTable compile(String yaml, RouteTable previous) throws ConfigException {
        return RouteTable.compile(ConfigLoader.load(yaml, Map.of()), ticker, transition -> { }, previous);
    }

    private static String config(String breaker, String... routes) {
        StringBuilder yaml = new StringBuilder("defaults: { breaker: " + breaker + " }\nroutes:\n");
        for (String route : routes) {
            yaml.append(route);
        }
        return yaml.toString();
    }

    private static String route(String name, String prefix, String... endpoints) {
        return """
                  - name: %s
                    match: { pathPrefix: %s }
                    upstreams: [ { name: u, endpoints: [ %s ] } ]
                """.formatted(name, prefix, String.join(", ", List.of(endpoints).stream().map(e -> "\"" + e + "\"").toList()));
    }

    private static final String BREAKER = "{ failures: 1, window: 10s, openFor: 30s }";

    @Test
    void anEndpointKeptByURLKeepsItsOpenBreakerAndTakesTheNewSettings() throws ConfigException {
        RouteTable before = compile(config(BREAKER, route("a", "/", "http://10.0.0.1:80")), null);
        Endpoint endpoint = before.endpoints().iterator().next();
        assertTrue(endpoint.breaker().tryAcquire());
        endpoint.breaker().onFailure();
        assertEquals(CircuitBreaker.Phase.OPEN, endpoint.breaker().phase());

        RouteTable after = compile(config("{ failures: 3, window: 10s, openFor: 30s }",
                route("renamed", "/", "http://10.0.0.1:80")), before);

        Endpoint kept = after.endpoints().iterator().next();
        assertSame(endpoint, kept);
        assertEquals(CircuitBreaker.Phase.OPEN, kept.breaker().phase());
        assertEquals(3, kept.breaker().settings().failures());
        assertEquals(List.of(), before.endpointsGoneFrom(after));
    }

    @Test
    void anEndpointNoRouteNamesAnyMoreIsGoneAndANewOneStartsFresh() throws ConfigException {
        RouteTable before = compile(config(BREAKER, route("a", "/", "http://10.0.0.1:80")), null);
        Endpoint old = before.endpoints().iterator().next();
        old.breaker().tryAcquire();
        old.breaker().onFailure();

        RouteTable after = compile(config(BREAKER, route("a", "/", "http://10.0.0.2:80")), before);

        assertEquals(List.of(old), before.endpointsGoneFrom(after));
        Endpoint fresh = after.endpoints().iterator().next();
        assertNotSame(old, fresh);
        assertEquals(CircuitBreaker.Phase.CLOSED, fresh.breaker().phase());
    }

    @Test
    void otherTlsSettingsMakeAnotherEndpoint() throws ConfigException {
        RouteTable before = compile(config(BREAKER, route("a", "/", "https://10.0.0.1")), null);
        RouteTable after = compile("""
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    upstreams: [ { name: u, endpoints: [ "https://10.0.0.1" ], tls: { insecureSkipVerify: true } } ]
                """, before);
        assertNotSame(before.endpoints().iterator().next(), after.endpoints().iterator().next());
    }

    @Test
    void aRouteKeepsItsQueueByNameWhateverItsPrefix() throws ConfigException {
        RouteTable before = compile(config(BREAKER, route("a", "/a/", "http://10.0.0.1"), route("b", "/b/", "http://10.0.0.1")), null);
        AdmissionController queueOfA = before.byName("a").admission();

        RouteTable after = compile(config(BREAKER, route("a", "/new-a/", "http://10.0.0.3"), route("c", "/c/", "http://10.0.0.1")), before);

        assertSame(queueOfA, after.byName("a").admission());
        assertNotSame(before.byName("b").admission(), after.byName("c").admission());
        assertEquals(List.of("b"), before.routesGoneFrom(after).stream().map(Route::name).toList());
        assertSame(after.byName("a"), after.match("/new-a/x"));
    }

    @Test
    void aRoutesUpstreamKeepsItsSpentRetryBudgetAndARefusedPrefillWhileItsRetrySettingsStay() throws ConfigException {
        RouteTable before = compile(config(BREAKER, route("a", "/a/", "http://10.0.0.1")), null);
        Upstream failing = before.byName("a").upstreams().get(0);
        while (failing.retryBudget().tryRetry()) {
            // spend the floor of retries the window allows
        }
        failing.refusedPrefill();

        RouteTable after = compile(config(BREAKER, route("a", "/new-a/", "http://10.0.0.2")), before);
        Upstream kept = after.byName("a").upstreams().get(0);
        assertNotSame(failing, kept, "the upstream is built anew, with its new endpoints");
        assertSame(failing.retryBudget(), kept.retryBudget());
        assertFalse(kept.retryBudget().tryRetry(), "a reload hands a failing upstream no fresh budget");
        assertEquals(ContinuationStyle.REGENERATE, kept.continuation(), "it still knows the upstream refused a prefill");

        String otherBudget = route("a", "/a/", "http://10.0.0.2") + "    retry: { budgetPercent: 50 }\n";
        Upstream rebudgeted = compile(config(BREAKER, otherBudget), after).byName("a").upstreams().get(0);
        assertNotSame(failing.retryBudget(), rebudgeted.retryBudget(), "new settings, a new budget");
        assertTrue(rebudgeted.retryBudget().tryRetry());
        assertEquals(ContinuationStyle.PREFILL, compile(config(BREAKER, route("b", "/a/", "http://10.0.0.1")), before)
                .byName("b").upstreams().get(0).continuation(), "another route's upstream learnt nothing");
    }

    @Test
    void aKeptEndpointKeepsWhatItsRouteLearnedOfItWhileTheBoundsStay() throws ConfigException {
        RouteTable before = compile(config(BREAKER, route("a", "/", "http://10.0.0.1")), null);
        Endpoint endpoint = before.endpoints().iterator().next();
        ConcurrencyLimit learned = before.byName("a").limits().of(endpoint);
        assertTrue(learned.isLearned());

        RouteTable same = compile(config(BREAKER, route("a", "/v1/", "http://10.0.0.1")), before);
        assertSame(learned, same.byName("a").limits().of(endpoint));

        RouteTable narrower = compile("""
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    admission: { minInFlightPerEndpoint: 2, maxInFlightPerEndpoint: 64 }
                    upstreams: [ { name: u, endpoints: [ "http://10.0.0.1" ] } ]
                """, same);
        assertNotSame(learned, narrower.byName("a").limits().of(endpoint), "new bounds, learned afresh");
    }

    @Test
    void aCarriedQueueAdmitsItsWaitersIntoTheNewRoutesRoom() throws ConfigException {
        RouteTable before = compile("""
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    admission: { maxInFlightPerEndpoint: 1 }
                    upstreams: [ { name: u, endpoints: [ "http://10.0.0.1" ] } ]
                """, null);
        AdmissionController queue = before.byName("a").admission();
        List<Ticket> tickets = List.of(acquire(queue), acquire(queue), acquire(queue));
        assertEquals(2, queue.queueDepth());

        RouteTable after = compile("""
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    admission: { maxInFlightPerEndpoint: 2 }
                    upstreams: [ { name: u, endpoints: [ "http://10.0.0.1", "http://10.0.0.2" ] } ]
                """, before);

        assertEquals(4, after.byName("a").loadView().slots());
        assertEquals(0, queue.queueDepth());
        tickets.forEach(t -> assertTrue(t.outcome().orElseThrow().isAdmitted()));
    }

    private Ticket acquire(AdmissionController queue) {
        long now = ticker.nanoTime();
        return queue.acquire(new Request("acme", Tier.STANDARD, now, now + Duration.ofMinutes(1).toNanos()));
    }
}
