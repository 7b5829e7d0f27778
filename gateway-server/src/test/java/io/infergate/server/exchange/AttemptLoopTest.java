package io.infergate.server.exchange;

import io.infergate.core.error.GatewayError;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.resilience.CircuitBreaker;
import io.infergate.core.upstream.Endpoint;
import io.infergate.server.exchange.LoopFixture.Request;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import java.time.Duration;
import java.util.List;
import java.util.stream.Stream;

import static io.infergate.server.exchange.LoopFixture.heldBody;
import static io.infergate.server.exchange.LoopFixture.heldStream;
import static io.infergate.server.exchange.LoopFixture.verdictHeardBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The attempt loop's decisions, one rule a test, on routes written as users write them. Breakers
 * that must show a verdict are set half-open first: the attempt is their probe, and a failure opens
 * them again, a success closes them, no verdict leaves them half-open. Retry delays carry random
 * jitter, so only their bounds are checked; every other value is exact.
 */
class AttemptLoopTest {

    /** The breaker's default {@code openFor}. */
    private static final Duration OPEN_FOR = Duration.ofSeconds(30);
    private static final String OVERLOADED_EVENT = "data: {\"error\":\"Model is overloaded\",\"error_type\":\"overloaded\"}\n\n";

    private LoopFixture fixture;

    /** The route {@code chat} on {@code /}, with the keys given (indented as under a route). */
    private LoopFixture chat(String routeKeys) {
        fixture = new LoopFixture("routes:\n  - name: chat\n    match: { pathPrefix: / }\n" + routeKeys.indent(4));
        return fixture;
    }

    @AfterEach
    void closeFixture() {
        if (fixture != null) {
            fixture.close();
        }
    }

    private static String loading(double estimatedSeconds) {
        return "{\"error\":\"Model chat is currently loading\",\"estimated_time\":" + estimatedSeconds + "}";
    }

    private static Duration delayOf(Next next) {
        return Duration.ofNanos(assertInstanceOf(Next.Retry.class, next).delayNanos());
    }

    private static void assertBetweenZeroAnd(Duration ceiling, Duration delay) {
        assertTrue(!delay.isNegative() && delay.compareTo(ceiling) < 0, delay + " in [0, " + ceiling + ")");
    }

    // ---- Go and GiveUp on the first start ------------------------------------------------------------

    @Test
    void aFirstStartGoesToAHealthyEndpointOfThePrimary() {
        LoopFixture f = chat("""
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary-a:8000", "http://primary-b:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Endpoint healthy = f.endpoint(0, 1);
        f.open(f.endpoint(0, 0));
        Request request = f.request();

        Attempt attempt = request.go(false);

        assertSame(healthy, attempt.endpoint);
        assertSame(f.upstream(0), attempt.upstream);
        assertFalse(attempt.onFallback);
        assertEquals(1, healthy.inFlight());
        assertSame(healthy, request.loop.endpoint());
        attempt.close(false);
        assertEquals(0, healthy.inFlight());
    }

    @Test
    void aFirstStartPassesOverAPrimaryWhoseBreakersAreAllOpen() {
        LoopFixture f = chat("""
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary-a:8000", "http://primary-b:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        f.open(f.endpoint(0, 0));
        f.open(f.endpoint(0, 1));
        Request request = f.request();

        Attempt attempt = request.go(false);

        assertSame(f.endpoint(1, 0), attempt.endpoint);
        assertTrue(attempt.onFallback);
        assertTrue(request.loop.onFallback());
        attempt.close(false);
    }

    /** Both upstreams' breakers open, the primary's probe due in 17.5 s and the fallback's in 30 s. */
    private LoopFixture bothBreakersOpen(String total) {
        LoopFixture f = chat("""
                timeouts: { total: %s }
                breaker: { failures: 1, openFor: 30s }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """.formatted(total));
        f.open(f.endpoint(0, 0));
        f.advance(Duration.ofMillis(12_500));
        f.open(f.endpoint(1, 0));
        return f;
    }

    @Test
    void withEveryBreakerOpenAndTheFirstProbeBeyondTheDeadlineTheRequestGivesUpWithRetryAfterUntilIt() {
        AttemptLoop loop = bothBreakersOpen("15s").request().loop;
        assertEquals(new Next.GiveUp(GatewayError.BREAKER_OPEN, 18), loop.start(false));
        assertFalse(loop.onFallback(), "no attempt went to the fallback, whose breaker is open too");
    }

    @Test
    void withEveryBreakerOpenARequestIsHeldUntilTheFirstProbeThenMakesIt() {
        LoopFixture f = bothBreakersOpen("60s");
        LoopFixture.Request request = f.request();

        assertEquals(new Next.AwaitProbe(Duration.ofMillis(17_500).toNanos()), request.loop.start(false));
        f.advance(Duration.ofMillis(17_500));
        Attempt probe = LoopFixture.attemptOf(request.loop.start(false));
        assertSame(f.endpoint(0, 0), probe.endpoint, "the plan starts over at the primary, whose probe is due");

        // Another request held meanwhile finds the probe out, and looks again shortly.
        LoopFixture.Request other = f.request();
        assertEquals(new Next.AwaitProbe(AttemptLoop.PROBE_RECHECK_NANOS), other.loop.start(false));
        // The probe fails: the primary opens for another 30 s, within the other's deadline; the fallback's is due sooner.
        probe.verdict(BreakerVerdict.FAILURE);
        assertEquals(new Next.AwaitProbe(Duration.ofMillis(12_500).toNanos()), other.loop.start(false));
    }

    // ---- failures without an answer ------------------------------------------------------------------

    @Test
    void aConnectFailureWithinTheRetryBudgetIsRetriedAfterAJitteredBackoffThatDoubles() {
        LoopFixture f = chat("""
                retry: { attempts: 3, backoff: 200ms, maxBackoff: 5s }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                """);
        Request request = f.request();
        AttemptOutcome refused = new AttemptOutcome.ConnectFailed(false);

        Attempt first = request.go(false);
        Next retry = request.loop.failed(first, refused, GatewayError.CONNECT_FAILED, true);
        first.close(false);
        assertBetweenZeroAnd(Duration.ofMillis(200), delayOf(retry));
        assertFalse(((Next.Retry) retry).avoidLast(), "a refusing endpoint is not a silent one");

        Attempt second = request.go(false);
        Next again = request.loop.failed(second, refused, GatewayError.CONNECT_FAILED, true);
        second.close(false);
        assertBetweenZeroAnd(Duration.ofMillis(400), delayOf(again));

        Attempt third = request.go(false);
        assertEquals(new Next.GiveUp(GatewayError.CONNECT_FAILED, 0),
                request.loop.failed(third, refused, GatewayError.CONNECT_FAILED, true));
        third.close(false);
    }

    @Test
    void aRetryThatFindsTheBreakerOpenedByTheFailureGivesUpWithThatFailureNotBreakerOpen() {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                """);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertInstanceOf(Next.Retry.class, request.loop.failed(attempt, new AttemptOutcome.ResetBeforeHead(),
                GatewayError.UPSTREAM_RESET, true));
        attempt.close(false);

        assertEquals(CircuitBreaker.Phase.OPEN, f.endpoint(0, 0).breaker().phase());
        assertEquals(new Next.GiveUp(GatewayError.UPSTREAM_RESET, 0), request.loop.start(false));
    }

    @Test
    void withAttemptsExhaustedOnARouteWithAFallbackTheNextStartGoesToTheFallback() {
        LoopFixture f = chat("""
                retry: { attempts: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Request request = f.request();
        Attempt primary = request.go(false);

        assertSame(Next.FALLBACK, request.loop.failed(primary, new AttemptOutcome.ResetBeforeHead(),
                GatewayError.UPSTREAM_RESET, true));
        primary.close(false);
        Attempt fallback = request.go(false);

        assertSame(f.endpoint(1, 0), fallback.endpoint);
        assertSame(f.upstream(1), fallback.upstream);
        assertTrue(fallback.onFallback);
        assertSame(f.upstream(1), request.loop.upstream());
        fallback.close(false);
    }

    @Test
    void withAttemptsExhaustedAndNoFallbackTheRequestGivesUpWithTheFailuresError() {
        LoopFixture f = chat("""
                retry: { attempts: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                """);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertEquals(new Next.GiveUp(GatewayError.FIRST_BYTE_TIMEOUT, 0), request.loop.failed(attempt,
                new AttemptOutcome.FirstByteTimeout(), GatewayError.FIRST_BYTE_TIMEOUT, true));
        attempt.close(false);
    }

    @Test
    void whenNoOtherAttemptIsPossibleTheRequestGivesUpAndTheBreakerHearsAFailure() {
        LoopFixture f = chat("""
                retry: { attempts: 3 }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertEquals(new Next.GiveUp(GatewayError.UPSTREAM_RESET, 0), request.loop.failed(attempt,
                new AttemptOutcome.ResetBeforeHead(), GatewayError.UPSTREAM_RESET, false));
        attempt.close(false);

        assertEquals(BreakerVerdict.FAILURE, verdictHeardBy(endpoint));
    }

    @Test
    void aRefusedConnectionOnAScaleToZeroUpstreamMarksItWarmingWithoutABreakerFailure() {
        LoopFixture f = chat("""
                breaker: { failures: 1 }
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { scaleToZero: true }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertSame(Next.AGAIN, request.loop.failed(attempt, new AttemptOutcome.ConnectFailed(false),
                GatewayError.CONNECT_FAILED, true));
        attempt.close(false);

        assertTrue(endpoint.warming().isWarming());
        assertEquals(1, endpoint.warming().coldStarts());
        assertEquals(-1, endpoint.warming().nanosUntilReady(), "a refused connection gives no estimate");
        assertEquals(BreakerVerdict.NONE, verdictHeardBy(endpoint));
    }

    @Test
    void aRefusedConnectionOnAScaleToZeroUpstreamIsWarmingEvenWhenNoOtherAttemptCanBeMade() {
        LoopFixture f = chat("""
                breaker: { failures: 1 }
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { scaleToZero: true }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        Next next = request.loop.failed(attempt, new AttemptOutcome.ConnectFailed(false), GatewayError.CONNECT_FAILED, false);
        attempt.close(false);

        Next.GiveUp giveUp = assertInstanceOf(Next.GiveUp.class, next);
        assertEquals(GatewayError.MODEL_LOADING, giveUp.error());
        assertTrue(giveUp.retryAfterSeconds() >= 1);
        assertTrue(endpoint.warming().isWarming());
        assertEquals(BreakerVerdict.NONE, verdictHeardBy(endpoint), "a loading model is not breakage");
    }

    @Test
    void aConnectTimeoutOnAScaleToZeroUpstreamIsBreakageNotWarming() {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                breaker: { failures: 1 }
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { scaleToZero: true }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertInstanceOf(Next.Retry.class, request.loop.failed(attempt, new AttemptOutcome.ConnectFailed(true),
                GatewayError.CONNECT_TIMEOUT, true));
        attempt.close(false);

        assertFalse(endpoint.warming().isWarming());
        assertEquals(BreakerVerdict.FAILURE, verdictHeardBy(endpoint));
    }

    @Test
    void withTheRetryBudgetSpentAFailureGoesToTheFallbackInsteadOfRetrying() {
        LoopFixture f = chat("""
                retry: { attempts: 3, budgetPercent: 0, minRetriesPerSecond: 0 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertSame(Next.FALLBACK, request.loop.failed(attempt, new AttemptOutcome.ConnectFailed(false),
                GatewayError.CONNECT_FAILED, true));
        attempt.close(false);
    }

    @Test
    void aSilentEndpointIsNotAskedAgainWhenItsUpstreamHasAnother() {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                breaker: { failures: 1000 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary-a:8000", "http://primary-b:8000" ] }
                """);
        // The first choice is random: each round may start at either endpoint.
        for (int round = 0; round < 20; round++) {
            Request request = f.request();
            Attempt silent = request.go(false);
            Next retry = request.loop.failed(silent, new AttemptOutcome.FirstByteTimeout(),
                    GatewayError.FIRST_BYTE_TIMEOUT, true);
            silent.close(false);
            assertTrue(assertInstanceOf(Next.Retry.class, retry).avoidLast());

            Attempt next = request.go(true);
            assertNotSame(silent.endpoint, next.endpoint);
            next.close(false);
        }
    }

    @Test
    void aSilentSingleEndpointIsNotAskedAgainSoItsRetryGoesToTheFallback() {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Request request = f.request();
        Attempt silent = request.go(false);
        Next retry = request.loop.failed(silent, new AttemptOutcome.FirstByteTimeout(),
                GatewayError.FIRST_BYTE_TIMEOUT, true);
        silent.close(false);

        Attempt next = request.go(assertInstanceOf(Next.Retry.class, retry).avoidLast());

        assertSame(f.endpoint(1, 0), next.endpoint);
        assertTrue(next.onFallback);
        next.close(false);
    }

    @Test
    void aFailedTlsHandshakeIsNotRetriedOnTheSameUpstreamAndCountsAsABreakerFailure() {
        LoopFixture f = chat("""
                retry: { attempts: 3 }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "https://primary:8443", "https://primary-b:8443" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        f.probing(f.endpoint(0, 0), OPEN_FOR);
        f.open(f.endpoint(0, 1));
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertSame(Next.FALLBACK, request.loop.failed(attempt, new AttemptOutcome.TlsFailed(), GatewayError.TLS_FAILED, true));
        attempt.close(false);

        assertEquals(BreakerVerdict.FAILURE, verdictHeardBy(f.endpoint(0, 0)));
    }

    @Test
    void aFailedTlsHandshakeWithNoFallbackGivesUpAtOnce() {
        LoopFixture f = chat("""
                retry: { attempts: 3 }
                upstreams:
                  - { name: primary, endpoints: [ "https://primary:8443" ] }
                """);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertEquals(new Next.GiveUp(GatewayError.TLS_FAILED, 0),
                request.loop.failed(attempt, new AttemptOutcome.TlsFailed(), GatewayError.TLS_FAILED, true));
        attempt.close(false);
    }

    // ---- answers -------------------------------------------------------------------------------------

    @Test
    void a429WithRetriesLeftIsRetriedAndSaysNothingToTheBreaker() {
        LoopFixture f = chat("""
                retry: { attempts: 2, backoff: 200ms }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        Next next = request.loop.answered(attempt, new AttemptOutcome.Answered(429, null, null));
        attempt.close(false);

        assertBetweenZeroAnd(Duration.ofMillis(200), delayOf(next));
        assertEquals(BreakerVerdict.NONE, verdictHeardBy(endpoint));
    }

    static Stream<Arguments> retryAfters() {
        return Stream.of(
                Arguments.of(Duration.ofSeconds(2), new Next.Retry(Duration.ofSeconds(2).toNanos(), false)),
                Arguments.of(Duration.ofSeconds(30), new Next.Retry(Duration.ofSeconds(30).toNanos(), false)),
                Arguments.of(Duration.ofSeconds(31), Next.FALLBACK),
                Arguments.of(Duration.ofSeconds(10_000_000_000L), Next.FALLBACK));
    }

    @ParameterizedTest(name = "Retry-After {0}: {1}")
    @MethodSource("retryAfters")
    void a429sRetryAfterIsWaitedOutExactlyUpToMaxRetryAfterElseTheFallbackServes(Duration retryAfter, Next expected) {
        LoopFixture f = chat("""
                retry: { attempts: 2, maxRetryAfter: 30s }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertEquals(expected, request.loop.answered(attempt, new AttemptOutcome.Answered(429, retryAfter, null)));
        attempt.close(false);
    }

    static Stream<Arguments> retryAfterHeaders() {
        return Stream.of(
                Arguments.of("2", Duration.ofSeconds(2)),
                Arguments.of("0", Duration.ZERO),
                Arguments.of("Wed, 21 Oct 2015 07:28:00 GMT", null),
                Arguments.of(null, null),
                Arguments.of("-5", null));
    }

    @ParameterizedTest(name = "Retry-After: {0}")
    @MethodSource("retryAfterHeaders")
    void anUpstreamsRetryAfterIsReadAsWholeSecondsAndAnythingElseIsIgnored(String value, Duration expected) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.TOO_MANY_REQUESTS);
        if (value != null) {
            head.headers().set(HttpHeaderNames.RETRY_AFTER, value);
        }
        assertEquals(expected, HeldResponse.retryAfter(head));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {500, 502, 503, 504})
    void a5xxTheRouteRetriesIsRetriedAndCountsAsABreakerFailure(int status) {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertInstanceOf(Next.Retry.class, request.loop.answered(attempt, new AttemptOutcome.Answered(status, null, null)));
        attempt.close(false);

        assertEquals(BreakerVerdict.FAILURE, verdictHeardBy(endpoint));
    }

    @ParameterizedTest(name = "{0}")
    @ValueSource(ints = {400, 404, 422, 501})
    void anAnswerNotWorthRetryingIsDeliveredAndItsVerdictWaitsForTheDelivery(int status) {
        LoopFixture f = chat("""
                retry: { attempts: 3 }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertSame(Next.DELIVER, request.loop.answered(attempt, new AttemptOutcome.Answered(status, null, null)));

        assertNull(verdictHeardBy(endpoint), "the probe is still out: the relay gives the verdict with the head");
        attempt.close(true);
    }

    @Test
    void aHeld4xxNamingAnErrorCodeTheRouteFallsBackOnGoesToTheFallback() {
        LoopFixture f = chat("""
                fallbackOn: [ context_length_exceeded ]
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: long-context, endpoints: [ "http://long:8000" ] }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);
        attempt.hold(heldBody(400, "{\"error\":{\"message\":\"too long\",\"code\":\"context_length_exceeded\"}}"));

        assertSame(Next.FALLBACK, request.loop.judged(attempt, attempt.held()));
        attempt.close(false);

        assertEquals(BreakerVerdict.SUCCESS, verdictHeardBy(endpoint), "the endpoint answered as a healthy one does");
        Attempt fallback = request.go(false);
        assertSame(f.endpoint(1, 0), fallback.endpoint);
        fallback.close(false);
    }

    @Test
    void credentialsRefusedGoToTheFallbackAndSayNothingToTheBreaker() {
        LoopFixture f = chat("""
                retry: { attempts: 3 }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ], auth: { bearerEnv: HF_TOKEN } }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertSame(Next.FALLBACK, request.loop.refusedCredentials(attempt));
        attempt.close(false);

        assertEquals(BreakerVerdict.NONE, verdictHeardBy(endpoint));
        Attempt fallback = request.go(false);
        assertSame(f.endpoint(1, 0), fallback.endpoint);
        fallback.close(false);
    }

    @Test
    void credentialsRefusedWithNoFallbackGiveUpWithUpstreamAuthAndNoRetry() {
        LoopFixture f = chat("""
                retry: { attempts: 3 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ], auth: { bearerEnv: HF_TOKEN } }
                """);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertEquals(new Next.GiveUp(GatewayError.UPSTREAM_AUTH, 0), request.loop.refusedCredentials(attempt));
        attempt.close(false);
    }

    // ---- held streams --------------------------------------------------------------------------------

    @Test
    void anOverloadedStreamsFirstEventIsRetriedLikeA429() {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);
        attempt.hold(heldStream(OVERLOADED_EVENT));

        assertInstanceOf(Next.Retry.class, request.loop.judged(attempt, attempt.held()));
        attempt.close(false);

        assertEquals(BreakerVerdict.NONE, verdictHeardBy(endpoint));
    }

    @Test
    void anOverloadedStreamsFirstEventGoesToTheFallbackWhenNoRetryIsLeft() {
        LoopFixture f = chat("""
                retry: { attempts: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Request request = f.request();
        Attempt attempt = request.go(false);
        attempt.hold(heldStream(OVERLOADED_EVENT));

        assertSame(Next.FALLBACK, request.loop.judged(attempt, attempt.held()));
        attempt.close(false);
        Attempt fallback = request.go(false);
        assertSame(f.endpoint(1, 0), fallback.endpoint);
        fallback.close(false);
    }

    @Test
    void aStreamWhoseFirstEventIsATokenIsDelivered() {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                """);
        Request request = f.request();
        Attempt attempt = request.go(false);
        attempt.hold(heldStream("data: {\"token\":{\"id\":1,\"text\":\"Hi\"}}\n\n"));

        assertSame(Next.DELIVER, request.loop.judged(attempt, attempt.held()));
        attempt.close(true);
    }

    @Test
    void aLateFirstEventMovesOnAsFromASilentEndpoint() {
        LoopFixture f = chat("""
                retry: { attempts: 1 }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertSame(Next.FALLBACK, request.loop.lateFirstEvent(attempt));
        attempt.close(false);

        assertEquals(BreakerVerdict.FAILURE, verdictHeardBy(endpoint));
    }

    @Test
    void aLateFirstEventWithNowhereToGoIsDelivered() {
        LoopFixture f = chat("""
                retry: { attempts: 1 }
                breaker: { failures: 1 }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);

        assertSame(Next.DELIVER, request.loop.lateFirstEvent(attempt));

        assertNull(verdictHeardBy(endpoint), "the stream may still start: its verdict comes with it");
        attempt.close(true);
    }

    // ---- cold starts ---------------------------------------------------------------------------------

    @Test
    void aHeldLoadingAnswerMarksTheEndpointWarmingWithItsEstimateAndParksTheRequestUntilTheProbe() {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                breaker: { failures: 1 }
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { probeEvery: 5s, maxHold: 60s }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);
        attempt.hold(heldBody(503, loading(20.0)));

        assertSame(Next.AGAIN, request.loop.judged(attempt, attempt.held()));
        attempt.close(false);

        assertTrue(endpoint.warming().isWarming());
        assertEquals(Duration.ofSeconds(20).toNanos(), endpoint.warming().nanosUntilReady());
        assertEquals(BreakerVerdict.NONE, verdictHeardBy(endpoint));
        // The next probe is due at the estimate or probeEvery, whichever is sooner: 5 s from now.
        assertSame(Next.PARK, request.loop.start(false));
        assertSame(Next.PARK, f.request().loop.start(false));
        assertEquals(2, endpoint.warming().waiting());
    }

    @Test
    void aParkedRequestIsReleasedAsTheProbeAndTheOthersWaitUntilItIsAnswered() {
        LoopFixture f = chat("""
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { scaleToZero: true, probeEvery: 5s }
                """);
        Endpoint endpoint = f.endpoint(0, 0);
        Request first = f.request();
        Attempt refused = first.go(false);
        assertSame(Next.AGAIN, first.loop.failed(refused, new AttemptOutcome.ConnectFailed(false),
                GatewayError.CONNECT_FAILED, true));
        refused.close(false);
        Request second = f.request();
        assertSame(Next.PARK, first.loop.start(false));
        assertSame(Next.PARK, second.loop.start(false));

        f.advance(Duration.ofMillis(4_999));
        assertEquals(0, first.released);
        f.advance(Duration.ofMillis(1));
        assertEquals(1, first.released, "the first to arrive is the probe");
        assertEquals(0, second.released);

        Attempt probe = first.go(false);
        Request third = f.request();
        assertSame(Next.PARK, third.loop.start(false), "one probe at a time");
        assertEquals(2, endpoint.warming().waiting());

        assertSame(Next.DELIVER, first.loop.deliver(probe));
        probe.close(true);
        f.advance(Duration.ZERO);

        assertFalse(endpoint.warming().isWarming());
        assertEquals(List.of(1, 1), List.of(second.released, third.released));
        Attempt released = second.go(false);
        assertSame(endpoint, released.endpoint);
        released.close(false);
    }

    @Test
    void waitingForAWarmingEndpointUsesNoneOfTheRoutesAttempts() {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { scaleToZero: true, probeEvery: 5s }
                """);
        Request request = f.request();
        Attempt refused = request.go(false);
        assertSame(Next.AGAIN, request.loop.failed(refused, new AttemptOutcome.ConnectFailed(false),
                GatewayError.CONNECT_FAILED, true));
        refused.close(false);
        assertSame(Next.PARK, request.loop.start(false));
        f.advance(Duration.ofSeconds(5));
        assertEquals(1, request.released);

        Attempt probe = request.go(false);
        Next next = request.loop.failed(probe, new AttemptOutcome.ResetBeforeHead(), GatewayError.UPSTREAM_RESET, true);
        probe.close(false);

        assertInstanceOf(Next.Retry.class, next, "the probe is the request's first counted attempt");
    }

    @Test
    void aParkedRequestWhoseHoldRunsOutGoesToTheFallback() {
        LoopFixture f = chat("""
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { scaleToZero: true, probeEvery: 60s, maxHold: 10s }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Endpoint warming = f.endpoint(0, 0);
        Request request = f.request();
        Attempt refused = request.go(false);
        assertSame(Next.AGAIN, request.loop.failed(refused, new AttemptOutcome.ConnectFailed(false),
                GatewayError.CONNECT_FAILED, true));
        refused.close(false);
        assertSame(Next.PARK, request.loop.start(false));

        f.advance(Duration.ofMillis(9_999));
        assertEquals(List.of(), request.holdsExpired);
        f.advance(Duration.ofMillis(1));
        assertEquals(List.of(warming), request.holdsExpired);

        assertSame(Next.FALLBACK, request.loop.holdExpired(warming));
        Attempt fallback = request.go(false);
        assertSame(f.endpoint(1, 0), fallback.endpoint);
        assertTrue(fallback.onFallback);
        assertEquals(0, warming.warming().waiting());
        fallback.close(false);
    }

    @Test
    void withoutAFallbackARequestThatCanWaitNoLongerIsToldTheModelIsLoadingAndWhenToComeBack() {
        LoopFixture f = chat("""
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { probeEvery: 60s, maxHold: 10s }
                """);
        Endpoint warming = f.endpoint(0, 0);
        Request request = f.request();
        Attempt attempt = request.go(false);
        attempt.hold(heldBody(503, loading(25.0)));
        assertSame(Next.AGAIN, request.loop.judged(attempt, attempt.held()));
        attempt.close(false);
        assertSame(Next.PARK, request.loop.start(false));

        f.advance(Duration.ofSeconds(10));

        assertEquals(List.of(warming), request.holdsExpired);
        assertEquals(new Next.GiveUp(GatewayError.MODEL_LOADING, 15), request.loop.holdExpired(warming),
                "the endpoint said 25 s, 10 s ago");
    }

    @Test
    void aHoldThatRunsIntoTheDeadlineGivesUpWithDeadlineExceededEvenWithAFallback() {
        LoopFixture f = chat("""
                timeouts: { total: 20s }
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { scaleToZero: true, probeEvery: 60s, maxHold: 120s }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Endpoint warming = f.endpoint(0, 0);
        Request request = f.request();
        Attempt refused = request.go(false);
        assertSame(Next.AGAIN, request.loop.failed(refused, new AttemptOutcome.ConnectFailed(false),
                GatewayError.CONNECT_FAILED, true));
        refused.close(false);
        assertSame(Next.PARK, request.loop.start(false));

        f.advance(Duration.ofSeconds(20));

        assertEquals(List.of(warming), request.holdsExpired, "the hold is cut to the deadline");
        assertEquals(new Next.GiveUp(GatewayError.DEADLINE_EXCEEDED, 0), request.loop.holdExpired(warming));
    }

    @Test
    void aRequestGoesStraightToTheFallbackWhenThePrimaryWillLoadForLongerThanItCanWait() {
        LoopFixture f = chat("""
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { maxHold: 30s }
                  - { name: small, endpoints: [ "http://small:8000" ] }
                """);
        Endpoint warming = f.endpoint(0, 0);
        Request first = f.request();
        Attempt attempt = first.go(false);
        attempt.hold(heldBody(503, loading(300.0)));
        assertSame(Next.AGAIN, first.loop.judged(attempt, attempt.held()));
        attempt.close(false);

        Request later = f.request();
        assertSame(Next.FALLBACK, later.loop.start(false));
        Attempt fallback = later.go(false);

        assertSame(f.endpoint(1, 0), fallback.endpoint);
        assertEquals(0, warming.warming().waiting());
        assertEquals(0, warming.inFlight());
        fallback.close(false);
    }

    static Stream<Arguments> plain503s() {
        return Stream.of(Arguments.of(true, Next.AGAIN, BreakerVerdict.NONE),
                Arguments.of(false, Next.Retry.class, BreakerVerdict.FAILURE));
    }

    @ParameterizedTest(name = "scaleToZero {0}: {1}, breaker hears {2}")
    @MethodSource("plain503s")
    void aPlain503MeansLoadingOnlyOnAScaleToZeroUpstream(boolean scaleToZero, Object expected, BreakerVerdict heard) {
        LoopFixture f = chat("""
                retry: { attempts: 2 }
                breaker: { failures: 1 }
                upstreams:
                  - name: primary
                    endpoints: [ "http://primary:8000" ]
                    coldStart: { scaleToZero: %s }
                """.formatted(scaleToZero));
        Endpoint endpoint = f.endpoint(0, 0);
        f.probing(endpoint, OPEN_FOR);
        Request request = f.request();
        Attempt attempt = request.go(false);
        attempt.hold(heldBody(503, "Service Unavailable"));

        Next next = request.loop.judged(attempt, attempt.held());
        attempt.close(false);

        if (expected instanceof Class<?> type) {
            assertInstanceOf(type, next);
        } else {
            assertSame(expected, next);
        }
        assertEquals(scaleToZero, endpoint.warming().isWarming());
        assertEquals(-1, endpoint.warming().nanosUntilReady());
        assertEquals(heard, verdictHeardBy(endpoint));
    }
}
