package io.infergate.core.ratelimit;

import io.infergate.core.FakeTicker;
import io.infergate.core.admission.Tier;
import io.infergate.core.config.RateLimits;
import io.infergate.core.tenant.Tenant;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RateLimiterTest {

    private final FakeTicker ticker = new FakeTicker();
    private final RateLimiter limiter = new RateLimiter(ticker);

    private static Tenant tenant(String name, RateLimits limits) {
        return new Tenant(name, Tier.STANDARD, limits, null);
    }

    private static Tenant requestsOnly(long perMinute) {
        return tenant("acme", new RateLimits(OptionalLong.of(perMinute), OptionalLong.empty()));
    }

    private static Tenant tokensOnly(long perMinute) {
        return tenant("acme", new RateLimits(OptionalLong.empty(), OptionalLong.of(perMinute)));
    }

    @Test
    void aTenantMayBurstToItsMinutesRequestsAndIsThenToldToWaitForTheNext() {
        Tenant acme = requestsOnly(60);
        for (int i = 0; i < 60; i++) {
            assertTrue(limiter.tryAcquire(acme, "llama", 0).allowed(), "request " + i);
        }

        Decision refused = limiter.tryAcquire(acme, "llama", 0);

        assertFalse(refused.allowed());
        assertEquals(1, refused.retryAfterSeconds(), "one request a second comes back");
        assertEquals(0, refused.reservedTokens());
        assertEquals("\"requests\";q=60;w=60", refused.rateLimitPolicy());
        assertEquals("\"requests\";r=0;t=1", refused.rateLimit(), "the effective window ends with Retry-After");
    }

    @Test
    void aReloadThatChangesTheLimitKeepsWhatTheTenantSpent() {
        for (int i = 0; i < 50; i++) {
            assertTrue(limiter.tryAcquire(requestsOnly(60), "llama", 0).allowed());
        }

        Tenant raised = requestsOnly(120);  // the same tenant after a reload
        for (int i = 0; i < 10; i++) {
            assertTrue(limiter.tryAcquire(raised, "llama", 0).allowed(), "the ten left, request " + i);
        }
        Decision refused = limiter.tryAcquire(raised, "llama", 0);
        assertFalse(refused.allowed(), "a reload hands out no fresh minute");
        assertEquals("\"requests\";q=120;w=60", refused.rateLimitPolicy());

        ticker.advance(Duration.ofSeconds(1));
        assertTrue(limiter.tryAcquire(raised, "llama", 0).allowed(), "refilled at the new rate: two a second");
        assertTrue(limiter.tryAcquire(raised, "llama", 0).allowed());
        assertFalse(limiter.tryAcquire(raised, "llama", 0).allowed());
    }

    @Test
    void aLoweredLimitCapsWhatTheBucketHolds() {
        assertTrue(limiter.tryAcquire(requestsOnly(60), "llama", 0).allowed());
        Tenant lowered = requestsOnly(5);
        for (int i = 0; i < 5; i++) {
            assertTrue(limiter.tryAcquire(lowered, "llama", 0).allowed(), "request " + i);
        }
        assertFalse(limiter.tryAcquire(lowered, "llama", 0).allowed());
    }

    @Test
    void theAllowanceRefillsEvenlyOverTheMinute() {
        Tenant acme = requestsOnly(60);
        for (int i = 0; i < 60; i++) {
            limiter.tryAcquire(acme, "llama", 0);
        }
        ticker.advance(Duration.ofMillis(999));
        assertFalse(limiter.tryAcquire(acme, "llama", 0).allowed());

        ticker.advance(Duration.ofMillis(1));
        Decision next = limiter.tryAcquire(acme, "llama", 0);
        assertTrue(next.allowed());
        assertEquals("\"requests\";r=0;t=60", next.rateLimit());

        ticker.advance(Duration.ofSeconds(30));
        assertEquals("\"requests\";r=29;t=31", limiter.tryAcquire(acme, "llama", 0).rateLimit());
        ticker.advance(Duration.ofMinutes(5));
        assertEquals("\"requests\";r=59;t=1", limiter.tryAcquire(acme, "llama", 0).rateLimit(), "full, not more");
    }

    @Test
    void retryAfterIsTheWaitForTheRequestsReservationRoundedUpToWholeSeconds() {
        Tenant acme = tokensOnly(600); // ten tokens a second
        assertTrue(limiter.tryAcquire(acme, "llama", 600).allowed());

        Decision refused = limiter.tryAcquire(acme, "llama", 25);

        assertEquals(3, refused.retryAfterSeconds(), "25 tokens take 2.5 s");
        assertEquals("\"tokens\";r=0;t=3", refused.rateLimit());
        ticker.advance(Duration.ofMillis(2499));
        assertFalse(limiter.tryAcquire(acme, "llama", 25).allowed());
        ticker.advance(Duration.ofMillis(1));
        assertTrue(limiter.tryAcquire(acme, "llama", 25).allowed());
    }

    @Test
    void aWaitUnderASecondIsStillOneSecond() {
        Tenant acme = tokensOnly(6000); // a token every 10 ms
        limiter.tryAcquire(acme, "llama", 6000);

        assertEquals(1, limiter.tryAcquire(acme, "llama", 3).retryAfterSeconds());
    }

    @Test
    void bothLimitsAreTakenFromTogetherOrNotAtAllAndTheLongerWaitIsTold() {
        Tenant acme = tenant("acme", RateLimits.of(60, 600));
        Decision first = limiter.tryAcquire(acme, "llama", 590);
        assertEquals("\"requests\";q=60;w=60, \"tokens\";q=600;w=60", first.rateLimitPolicy());
        assertEquals("\"requests\";r=59;t=1, \"tokens\";r=10;t=59", first.rateLimit());

        Decision refused = limiter.tryAcquire(acme, "llama", 50);

        assertFalse(refused.allowed());
        assertEquals(4, refused.retryAfterSeconds(), "40 more tokens take 4 s; a request is back in 1 s");
        assertEquals("\"requests\";r=59;t=1, \"tokens\";r=10;t=4", refused.rateLimit(), "no request was taken");
    }

    @Test
    void aReservationIsAtLeastOneTokenAndAtMostAMinutesAllowance() {
        Tenant acme = tokensOnly(100);

        Decision none = limiter.tryAcquire(acme, "llama", 0);
        assertEquals(1, none.reservedTokens());
        Decision huge = limiter.tryAcquire(tokensOnly(100), "other", 1_000_000);
        assertTrue(huge.allowed(), "more than a minute's tokens would never pass");
        assertEquals(100, huge.reservedTokens());
        assertEquals("\"tokens\";r=0;t=60", huge.rateLimit());
    }

    @Test
    void tokensReservedAndNotGeneratedAreGivenBack() {
        Tenant acme = tokensOnly(1000);
        Decision decision = limiter.tryAcquire(acme, "llama", 800);
        assertEquals(800, decision.reservedTokens());

        limiter.correct(acme, "llama", decision.reservedTokens(), 300);

        assertEquals("\"tokens\";r=600;t=24", limiter.tryAcquire(acme, "llama", 100).rateLimit());
    }

    @Test
    void givingBackNeverFillsTheBucketPastItsAllowance() {
        Tenant acme = tokensOnly(1000);
        limiter.tryAcquire(acme, "llama", 10);

        limiter.correct(acme, "llama", 5000, 0); // clamped to 1000 like its reservation, and capped at the allowance

        assertEquals("\"tokens\";r=999;t=1", limiter.tryAcquire(acme, "llama", 1).rateLimit());
    }

    @Test
    void tokensGeneratedBeyondTheReservationAreTakenAsFarAsTheBucketHoldsThem() {
        Tenant acme = tokensOnly(1000);
        limiter.tryAcquire(acme, "llama", 800);

        limiter.correct(acme, "llama", 800, 900);
        assertEquals("\"tokens\";r=99;t=55", limiter.tryAcquire(acme, "llama", 1).rateLimit());

        limiter.correct(acme, "llama", 1, 5000); // wants 4999 more, takes the 99 there are
        Decision refused = limiter.tryAcquire(acme, "llama", 1);
        assertFalse(refused.allowed());
        assertEquals("\"tokens\";r=0;t=1", refused.rateLimit(), "empty, not in debt");
        ticker.advance(Duration.ofMillis(60)); // one token
        assertTrue(limiter.tryAcquire(acme, "llama", 1).allowed());
    }

    @Test
    void eachTenantHasItsOwnBucketsOnEachRoute() {
        Tenant acme = requestsOnly(1);
        Tenant other = tenant("other", acme.limits());
        assertTrue(limiter.tryAcquire(acme, "llama", 0).allowed());
        assertFalse(limiter.tryAcquire(acme, "llama", 0).allowed());

        assertTrue(limiter.tryAcquire(acme, "small", 0).allowed(), "another route");
        assertTrue(limiter.tryAcquire(other, "llama", 0).allowed(), "another tenant");
        limiter.correct(acme, "small", 1, 1);
        assertFalse(limiter.tryAcquire(acme, "llama", 0).allowed());
    }

    @Test
    void aTenantWithoutLimitsIsNeverRefusedAndGetsNoHeaders() {
        Tenant free = tenant("free", RateLimits.NONE);
        for (int i = 0; i < 1000; i++) {
            assertTrue(limiter.tryAcquire(free, "llama", 1_000_000).allowed());
        }
        Decision decision = limiter.tryAcquire(free, "llama", 5);

        assertEquals(0, decision.reservedTokens());
        assertNull(decision.rateLimitPolicy());
        assertNull(decision.rateLimit());
        limiter.correct(free, "llama", 5, 10);
        assertEquals(0, limiter.bucketCount());
    }

    @Test
    void withOnlyARequestLimitNoTokensAreReserved() {
        Decision decision = limiter.tryAcquire(requestsOnly(10), "llama", 500);

        assertEquals(0, decision.reservedTokens());
        assertEquals("\"requests\";q=10;w=60", decision.rateLimitPolicy());
        limiter.correct(requestsOnly(10), "llama", 500, 5000); // nothing to correct
        assertEquals("\"requests\";r=8;t=12", limiter.tryAcquire(requestsOnly(10), "llama", 0).rateLimit());
    }

    @Test
    void bucketsUnusedForAWholeMinuteAreForgottenForTheyAreFullAgain() {
        Tenant acme = requestsOnly(2);
        limiter.tryAcquire(acme, "llama", 0);
        limiter.tryAcquire(acme, "small", 0);
        assertEquals(2, limiter.bucketCount());

        ticker.advance(Duration.ofSeconds(59));
        limiter.tryAcquire(acme, "llama", 0);
        ticker.advance(Duration.ofSeconds(1));
        assertEquals(1, limiter.bucketCount(), "small was not used for a minute");

        ticker.advance(Duration.ofMinutes(1));
        assertEquals(0, limiter.bucketCount());
        assertEquals("\"requests\";r=1;t=30", limiter.tryAcquire(acme, "llama", 0).rateLimit());
    }

    @Test
    void theNumberOfBucketsIsBounded() {
        RateLimiter small = new RateLimiter(ticker, 2);
        for (int i = 0; i < 10; i++) {
            small.tryAcquire(tenant("t" + i, RateLimits.of(5, 5)), "llama", 1);
        }

        assertTrue(small.bucketCount() <= 2, String.valueOf(small.bucketCount()));
    }

    @Test
    void concurrentRequestsNeverTakeMoreThanTheAllowance() throws Exception {
        Tenant acme = tenant("acme", RateLimits.of(500, 5000));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Callable<Integer>> workers = new ArrayList<>();
            for (int w = 0; w < 4; w++) {
                workers.add(() -> {
                    int allowed = 0;
                    for (int i = 0; i < 300; i++) {
                        if (limiter.tryAcquire(acme, "llama", 10).allowed()) {
                            allowed++;
                        }
                    }
                    return allowed;
                });
            }
            int total = 0;
            for (Future<Integer> result : pool.invokeAll(workers)) {
                total += result.get();
            }
            assertEquals(500, total);
            assertEquals("\"requests\";r=0;t=1, \"tokens\";r=0;t=1", limiter.tryAcquire(acme, "llama", 10).rateLimit());
        } finally {
            pool.shutdownNow();
        }
    }
}
