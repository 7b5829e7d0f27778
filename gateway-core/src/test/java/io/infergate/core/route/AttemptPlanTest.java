package io.infergate.core.route;

import io.infergate.core.FakeTicker;
import io.infergate.core.config.EndpointUrl;
import io.infergate.core.config.TlsConfig;
import io.infergate.core.config.UpstreamAuth;
import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.CircuitBreaker;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AttemptPlanTest {

    private final FakeTicker ticker = new FakeTicker();
    private final Map<Endpoint, CircuitBreaker> breakers = new HashMap<>();
    private final Endpoint a1 = endpoint("http://a1");
    private final Endpoint a2 = endpoint("http://a2");
    private final Endpoint b1 = endpoint("http://b1");
    private final Upstream primary = new Upstream("primary", List.of(a1, a2), UpstreamAuth.NONE);
    private final Upstream fallback = new Upstream("small", List.of(b1), UpstreamAuth.NONE);

    private Endpoint endpoint(String url) {
        Endpoint endpoint = new Endpoint(EndpointUrl.parse(url), TlsConfig.DEFAULTS);
        breakers.put(endpoint, new CircuitBreaker(url, new BreakerSettings(1, Duration.ofSeconds(10),
                Duration.ofSeconds(10), 1), ticker, t -> { }));
        return endpoint;
    }

    private AttemptPlan plan() {
        return new AttemptPlan(List.of(primary, fallback), breakers::get);
    }

    private void open(Endpoint endpoint) {
        breakers.get(endpoint).tryAcquire();
        breakers.get(endpoint).onFailure();
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
        AttemptPlan plan = new AttemptPlan(List.of(fallback), breakers::get);
        assertSame(b1, plan.next(false));
        breakers.get(b1).onSuccess();
        assertSame(b1, plan.next(false));
        assertEquals(2, plan.attemptsOnUpstream());
    }
}
