package io.infergate.server.exchange;

import io.infergate.core.capacity.ConcurrencyLimit;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.upstream.Endpoint;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.nio.charset.StandardCharsets;
import java.time.Duration;

import static io.infergate.server.exchange.LoopFixture.verdictHeardBy;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * One try at one endpoint, without a connection: its in-flight slot, its breaker's one verdict
 * (seen on a half-open breaker whose probe the attempt is), its held response, interim responses.
 */
class AttemptTest {

    private final LoopFixture fixture = new LoopFixture("""
            routes:
              - name: chat
                match: { pathPrefix: / }
                breaker: { failures: 1, openFor: 30s }
                upstreams:
                  - { name: primary, endpoints: [ "http://primary:8000" ] }
            """);
    private final Endpoint endpoint = fixture.endpoint(0, 0);

    @AfterEach
    void closeFixture() {
        fixture.close();
    }

    private Attempt attempt() {
        return new Attempt(fixture.upstream(0), endpoint, ConcurrencyLimit.UNBOUNDED, 0, false, null);
    }

    /** An attempt that is its endpoint's half-open probe, so the verdict it gives shows. */
    private Attempt probe() {
        fixture.probing(endpoint, Duration.ofSeconds(30));
        assertTrue(endpoint.breaker().tryAcquire());
        return attempt();
    }

    private static ByteBuf text(String text) {
        return Unpooled.copiedBuffer(text, StandardCharsets.UTF_8);
    }

    @Test
    void anAttemptTakesAnInFlightSlotAndCloseGivesItBackOnce() {
        Attempt attempt = attempt();
        assertEquals(1, endpoint.inFlight());

        attempt.close(false);
        attempt.close(true);

        assertEquals(0, endpoint.inFlight());
    }

    @Test
    void closeWithoutAVerdictGivesNone() {
        Attempt attempt = probe();
        assertNull(verdictHeardBy(endpoint), "the probe is out");

        attempt.close(false);

        assertEquals(BreakerVerdict.NONE, verdictHeardBy(endpoint));
    }

    @ParameterizedTest(name = "{0} then {1}: the breaker heard {0}")
    @CsvSource({
            "FAILURE, SUCCESS",
            "SUCCESS, FAILURE",
            "NONE,    FAILURE",
            "NONE,    SUCCESS",
    })
    void onlyTheFirstVerdictCounts(BreakerVerdict first, BreakerVerdict second) {
        Attempt attempt = probe();

        attempt.verdict(first);
        attempt.verdict(second);
        attempt.close(false);

        assertEquals(first, verdictHeardBy(endpoint));
    }

    @Test
    void aHeldResponseIsReleasedOnClose() {
        Attempt attempt = attempt();
        ByteBuf start = text("{\"error\":\"Model chat is ");
        ByteBuf end = text("currently loading\"}");
        HeldResponse held = new HeldResponse(new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.SERVICE_UNAVAILABLE), HeldResponse.Until.WHOLE_BODY);
        assertFalse(held.add(new DefaultHttpContent(start)));
        assertTrue(held.add(new DefaultLastHttpContent(end)));
        attempt.hold(held);

        attempt.close(false);

        assertEquals(0, start.refCnt());
        assertEquals(0, end.refCnt());
        assertNull(attempt.held());
    }

    @Test
    void aHeldResponseTakenIsTheTakersAndNotReleasedOnClose() {
        Attempt attempt = attempt();
        ByteBuf body = text("{\"error\":\"overloaded\"}");
        HeldResponse held = new HeldResponse(new DefaultHttpResponse(HttpVersion.HTTP_1_1,
                HttpResponseStatus.SERVICE_UNAVAILABLE), HeldResponse.Until.WHOLE_BODY);
        held.add(new DefaultLastHttpContent(body));
        attempt.hold(held);

        assertSame(held, attempt.takeHeld());
        attempt.close(false);

        assertEquals(1, body.refCnt());
        held.release();
        assertEquals(0, body.refCnt());
    }

    @Test
    void anInterimResponsesContentIsSkippedUpToAndIncludingItsLast() {
        Attempt attempt = attempt();
        assertFalse(attempt.skipping(false), "nothing is skipped before an interim response");

        attempt.skipInterim();

        assertTrue(attempt.skipping(false));
        assertTrue(attempt.skipping(true), "the interim response's last content is skipped too");
        assertFalse(attempt.skipping(false), "the final response's content is not");
        assertFalse(attempt.skipping(true));
        attempt.close(false);
    }

    @Test
    void anAttemptWithoutAConnectionClosesWithoutAPool() {
        Attempt attempt = attempt();
        assertFalse(attempt.connected());
        assertFalse(attempt.headSeen());
        attempt.flush();

        attempt.headArrived(200, true);
        assertTrue(attempt.headSeen());
        attempt.close(true);

        assertEquals(0, endpoint.inFlight());
    }
}
