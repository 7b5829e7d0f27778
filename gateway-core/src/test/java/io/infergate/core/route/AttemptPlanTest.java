package io.infergate.core.route;

import io.infergate.core.FakeTicker;
import io.infergate.core.config.EndpointUrl;
import io.infergate.core.config.TlsConfig;
import io.infergate.core.config.UpstreamAuth;
import io.infergate.core.config.UpstreamConfig;
import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.CircuitBreaker;
import io.infergate.core.resilience.RetryBudget;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.core.upstream.Warming;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttemptPlanTest {

    private final FakeTicker ticker = new FakeTicker();
    private final Endpoint a1 = endpoint("http://a1");
    private final Endpoint a2 = endpoint("http://a2");
    private final Endpoint b1 = endpoint("http://b1");
    private final Upstream primary = new Upstream(config("primary"), List.of(a1, a2), budget());
    private final Upstream fallback = new Upstream(config("small"), List.of(b1), budget());

    private static UpstreamConfig config(String name) {
        return new UpstreamConfig(name, List.of(EndpointUrl.parse("http://unused")), UpstreamAuth.NONE, TlsConfig.DEFAULTS);
    }

    private RetryBudget budget() {
        return new RetryBudget(20, 3, Duration.ofSeconds(10), ticker);
    }

    private Endpoint endpoint(String url) {
        return new Endpoint(EndpointUrl.parse(url), TlsConfig.DEFAULTS, new CircuitBreaker(url,
                new BreakerSettings(1, Duration.ofSeconds(10), Duration.ofSeconds(10), 1), ticker, t -> { }), new Warming(ticker));
    }

    private AttemptPlan plan() {
        return new AttemptPlan(List.of(primary, fallback));
    }

    private void open(Endpoint endpoint) {
        endpoint.breaker().tryAcquire();
        endpoint.breaker().onFailure();
    }

    @Test
    void primaryEndpointsComeFirstLeastLoadedFirstThenTheFallback() {
        a1.requestStarted();
        AttemptPlan plan = plan();
        assertSame(a2, plan.next(false));
        assertEquals(1, plan.attemptsOnUpstream());
        assertFalse(plan.onFallback());
        plan.moveToNextUpstream();
        assertSame(b1, plan.next(false));
        assertTrue(plan.onFallback());
        assertSame(fallback, plan.upstream());
        assertFalse(plan.hasNextUpstream());
        plan.moveToNextUpstream();
        assertNull(plan.next(false));
    }

    @Test
    void endpointsWithAnOpenBreakerAreSkippedAndAnAllOpenUpstreamIsPassedOver() {
        open(a1);
        assertSame(a2, plan().next(false));
        open(a2);
        AttemptPlan plan = plan();
        assertSame(b1, plan.next(false));
        assertTrue(plan.onFallback());
        open(b1);
        assertNull(plan().next(false));
    }

    @Test
    void aSilentEndpointIsNotChosenAgainAndASingleOneSendsThePlanOn() {
        AttemptPlan plan = plan();
        Endpoint first = plan.next(false);
        Endpoint second = plan.next(true);
        assertTrue(first != second && List.of(a1, a2).contains(second));
        assertEquals(2, plan.attemptsOnUpstream());
        plan.moveToNextUpstream();
        assertSame(b1, plan.next(false));
        assertNull(plan.next(true), "the fallback's only endpoint stayed silent");
    }

    @Test
    void retryingTheSameUpstreamCountsItsAttempts() {
        AttemptPlan plan = new AttemptPlan(List.of(fallback));
        assertSame(b1, plan.next(false));
        b1.breaker().onSuccess();
        assertSame(b1, plan.next(false));
        assertEquals(2, plan.attemptsOnUpstream());
    }

    @Test
    void aWarmingEndpointIsChosenOnlyWhenNoOtherIsLeft() {
        a2.requestStarted();
        a1.warming().markLoading(false, -1, Duration.ofSeconds(5).toNanos());
        AttemptPlan plan = plan();
        assertSame(a2, plan.next(false), "busier but warm");
        assertSame(a1, plan.next(true), "the warming one, when the other is to be avoided");
    }

    @Test
    void anAttemptThatFoundTheEndpointWarmingIsNotCountedAsARetry() {
        AttemptPlan plan = plan();
        plan.next(false);
        plan.forgetLastAttempt();
        assertEquals(0, plan.attemptsOnUpstream());
        plan.next(false);
        assertEquals(1, plan.attemptsOnUpstream());
    }

    @Test
    void twoRandomChoicesSpreadLoadAndNeverPickASaturatedEndpointWhileAnotherIsLeft() {
        Endpoint a3 = endpoint("http://a3");
        Upstream three = new Upstream(config("three"), List.of(a1, a2, a3), budget());
        java.util.Map<Endpoint, Integer> chosen = new java.util.HashMap<>();
        java.util.Random random = new java.util.Random(7);
        for (int i = 0; i < 300; i++) {
            AttemptPlan plan = new AttemptPlan(List.of(three), e -> e == a3 ? Double.POSITIVE_INFINITY : 0, random);
            chosen.merge(plan.next(false), 1, Integer::sum);
        }
        assertEquals(null, chosen.get(a3), "saturated: only when nothing else is left");
        assertTrue(chosen.get(a1) > 100 && chosen.get(a2) > 100, "equal endpoints share the load: " + chosen);
    }

    @Test
    void ofTheTwoPickedTheLessLoadedGoes() {
        Upstream two = new Upstream(config("two"), List.of(a1, a2), budget());
        for (int i = 0; i < 20; i++) {
            AttemptPlan plan = new AttemptPlan(List.of(two), e -> e == a1 ? 5 : 1, new java.util.Random(i));
            assertSame(a2, plan.next(false));
        }
    }
}
