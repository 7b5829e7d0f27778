package io.infergate.core.capacity;

import io.infergate.core.FakeTicker;
import io.infergate.core.load.LoadReport;
import io.infergate.core.upstream.EndpointLoad;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConcurrencyLimitTest {

    private static final Duration HALF_SECOND = Duration.ofMillis(500);

    @Test
    void aFastUpstreamThatSaysNothingGetsAllItsClientsAtOnceWithinSeconds() {
        ModelEndpoint endpoint = new ModelEndpoint(10_000, Duration.ofMillis(1), 64);
        endpoint.tells = false;
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, endpoint.ticker);

        int after = endpoint.run(limit, Duration.ofSeconds(5));

        assertTrue(after >= 64, "limit " + after);
        assertEquals(LimitCause.GROWTH, limit.cause());
        assertEquals(after, endpoint.run(limit, Duration.ofSeconds(30)), "settled: no cut on a sub-millisecond upstream");
    }

    @Test
    void aColdStartsSlowFirstRequestsDoNotHoldGrowthBackOnceRequestsAreFast() {
        ModelEndpoint endpoint = new ModelEndpoint(64, Duration.ofSeconds(2), 8);
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, endpoint.ticker);
        endpoint.run(limit, Duration.ofSeconds(6)); // cold: 2 s a request, 8 at a time

        endpoint.service = HALF_SECOND;
        endpoint.demand = 48;
        int after = endpoint.run(limit, Duration.ofMillis(1500));

        assertTrue(after >= 48, "limit " + after + " 1.5 s after the requests became fast");
        assertTrue(limit.growing(), "still probing: the endpoint never queued");
    }

    @Test
    void aLimitGrowsUntilItsFirstCutAndAFixedOneNever() {
        ModelEndpoint endpoint = new ModelEndpoint(8, HALF_SECOND, 1_000);
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, endpoint.ticker);
        assertTrue(limit.growing(), "a start is a floor");

        endpoint.run(limit, Duration.ofSeconds(10));

        assertFalse(limit.growing(), "cut by " + limit.cause() + ": found");
        assertFalse(ConcurrencyLimit.fixed(8).growing());
        assertFalse(ConcurrencyLimit.learned(1, 8, endpoint.ticker).growing(), "at its bound already");
    }

    @Test
    void aBatchLimitedEndpointIsHeldAtItsBatchAndBarelyQueues() {
        ModelEndpoint endpoint = new ModelEndpoint(8, HALF_SECOND, 1_000);
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, endpoint.ticker);

        endpoint.run(limit, Duration.ofSeconds(10));
        endpoint.meanQueueSecondsAndReset();
        int low = Integer.MAX_VALUE;
        int high = 0;
        for (int second = 0; second < 50; second++) {
            int now = endpoint.run(limit, Duration.ofSeconds(1));
            low = Math.min(low, now);
            high = Math.max(high, now);
        }

        assertTrue(low >= 6 && high <= 10, "limit between " + low + " and " + high);
        double queued = endpoint.meanQueueSecondsAndReset();
        assertTrue(queued < 0.1 * 0.5, "mean queue time " + queued + " s against a 0.5 s service time");
    }

    @Test
    void whatTheEndpointRanWithoutQueueingIsProvenAndAProbeAboveItIsNot() {
        ModelEndpoint endpoint = new ModelEndpoint(8, HALF_SECOND, 1_000);
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, endpoint.ticker);
        assertEquals(1, limit.proven(), "nothing seen yet but the lower bound");

        endpoint.run(limit, Duration.ofSeconds(10));
        int probes = 0;
        int lowest = Integer.MAX_VALUE;
        int highest = 0;
        for (int second = 0; second < 50; second++) {
            int now = endpoint.run(limit, Duration.ofSeconds(1));
            assertTrue(limit.proven() <= now, "proven " + limit.proven() + " of " + now);
            lowest = Math.min(lowest, limit.proven());
            highest = Math.max(highest, limit.proven());
            if (now > limit.proven()) {
                probes++;
            }
        }

        assertTrue(lowest >= 6 && highest <= 8, "proven between " + lowest + " and " + highest + " for a batch of 8");
        assertTrue(probes > 0, "the limit probes above what is proven");
        assertEquals(8, ConcurrencyLimit.fixed(8).proven(), "a fixed limit is proven by the operator's word");
    }

    @Test
    void theLimitFollowsAnEndpointWhoseCapacityHalvesWithinTenSeconds() {
        ModelEndpoint endpoint = new ModelEndpoint(16, HALF_SECOND, 1_000);
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, endpoint.ticker);
        int before = endpoint.run(limit, Duration.ofSeconds(30));
        assertTrue(before >= 14 && before <= 19, "limit " + before + " for a batch of 16");

        endpoint.batch = 8;
        int after = endpoint.run(limit, Duration.ofSeconds(10));

        assertTrue(after >= 6 && after <= 10, "limit " + after + " for a batch of 8");
    }

    @Test
    void aSilentEndpointIsHeldNotGrown() {
        ModelEndpoint endpoint = new ModelEndpoint(8, HALF_SECOND, 1_000);
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, endpoint.ticker);
        endpoint.run(limit, Duration.ofSeconds(20));

        // It stops telling and stops answering: requests sit at it, its signals age out.
        endpoint.tells = false;
        endpoint.answers = false;
        int held = limit.limit();
        assertEquals(held, endpoint.run(limit, Duration.ofSeconds(60)));
        assertEquals(LimitCause.STALE, limit.cause());

        // It answers again but still says nothing of its queue: stale signals count as saturated.
        endpoint.answers = true;
        assertEquals(held, endpoint.run(limit, Duration.ofSeconds(30)));
        assertEquals(LimitCause.STALE, limit.cause());

        // Its timings come back: it learns again.
        endpoint.tells = true;
        endpoint.run(limit, Duration.ofSeconds(5));
        assertFalse(limit.cause() == LimitCause.STALE, "cause " + limit.cause());
    }

    @Test
    void anEndpointThatNeverSpokeIsNotGrownWhileNothingEnds() {
        ModelEndpoint endpoint = new ModelEndpoint(64, HALF_SECOND, 1_000);
        endpoint.tells = false;
        endpoint.answers = false;
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, endpoint.ticker);

        assertEquals(ConcurrencyLimit.START, endpoint.run(limit, Duration.ofSeconds(60)));
        assertEquals(LimitCause.START, limit.cause());
    }

    @Test
    void anOverloadAnswerHalvesTheLimit() {
        FakeTicker ticker = new FakeTicker();
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, ticker);
        limit.overloaded();
        ticker.advance(Duration.ofMillis(250));

        assertTrue(limit.update(new EndpointLoad(), Duration.ofSeconds(5), 8));

        assertEquals(4, limit.limit());
        assertEquals(LimitCause.OVERLOAD, limit.cause());
    }

    @Test
    void latencyPerRequestTwiceItsBaselineCutsWhenTheEndpointReportsNothing() {
        ModelEndpoint endpoint = new ModelEndpoint(1_000, HALF_SECOND, 8);
        endpoint.tells = false;
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, endpoint.ticker);
        endpoint.run(limit, Duration.ofSeconds(10));
        int before = limit.limit();

        endpoint.service = Duration.ofMillis(1_500);
        endpoint.run(limit, Duration.ofSeconds(2));

        assertTrue(limit.limit() < before, limit.limit() + " after " + before);
        assertEquals(LimitCause.LATENCY, limit.cause());
    }

    @Test
    void aStreamsTimeToFirstTokenTwiceItsBaselineCutsWhateverTheAnswersLength() {
        FakeTicker ticker = new FakeTicker();
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 8, ticker);
        for (int window = 0; window < 10; window++) {
            // Answers of 2 s, then of 6 s (longer generations): the first token comes after 100 ms throughout.
            streamWindow(limit, ticker, window < 5 ? 2_000 : 6_000, 100);
            assertFalse(limit.cause() == LimitCause.LATENCY, "window " + window + ": longer answers are no rise");
        }
        int before = limit.limit();

        streamWindow(limit, ticker, 6_000, 300); // the endpoint queues: the first token comes after 300 ms

        assertEquals(LimitCause.LATENCY, limit.cause());
        assertTrue(limit.limit() < before, limit.limit() + " after " + before);
    }

    /** One window of eight streams that ended, each {@code millis} long with its first token after {@code firstMillis}. */
    private static void streamWindow(ConcurrencyLimit limit, FakeTicker ticker, long millis, long firstMillis) {
        long started = ticker.nanoTime();
        limit.started(limit.limit());
        ticker.advance(Duration.ofMillis(millis));
        for (int i = 0; i < 8; i++) {
            limit.firstToken(started, Duration.ofMillis(firstMillis).toNanos());
            limit.completed(started, Duration.ofMillis(millis).toNanos());
        }
        limit.update(new EndpointLoad(), Duration.ofSeconds(30), limit.limit());
    }

    @Test
    void aReportedQueueDepthCutsByLittlesLaw() {
        FakeTicker ticker = new FakeTicker();
        EndpointLoad load = new EndpointLoad();
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 256, ticker);
        ticker.advance(Duration.ofSeconds(1));
        load.report(LoadReport.empty(LoadReport.Source.ORCA, ticker.nanoTime()).withQueueDepth(8));

        assertTrue(limit.update(load, Duration.ofSeconds(5), 8));

        assertEquals(4, limit.limit(), "8 in flight with 8 queued: half of them run");
        assertEquals(LimitCause.QUEUEING, limit.cause());
        ticker.advance(Duration.ofSeconds(1));
        assertFalse(limit.update(load, Duration.ofSeconds(5), 4), "the same report is not counted twice");
    }

    @Test
    void itStartsFromWhatTheEndpointSaysItAdmitsWithinTheBounds() {
        FakeTicker ticker = new FakeTicker();
        EndpointLoad load = new EndpointLoad();
        ConcurrencyLimit limit = ConcurrencyLimit.learned(1, 64, ticker);
        load.report(LoadReport.empty(LoadReport.Source.POLL, ticker.nanoTime()).withMaxConcurrent(128).withQueueDepth(0));
        ticker.advance(Duration.ofSeconds(1));

        limit.update(load, Duration.ofSeconds(5), 0);

        assertEquals(64, limit.limit());
        assertEquals(LimitCause.REPORTED, limit.cause());
    }

    @Test
    void aFixedLimitIgnoresEverything() {
        ModelEndpoint endpoint = new ModelEndpoint(2, HALF_SECOND, 1_000);
        ConcurrencyLimit limit = ConcurrencyLimit.fixed(8);
        limit.overloaded();

        assertEquals(8, endpoint.run(limit, Duration.ofSeconds(30)));
        assertEquals(LimitCause.FIXED, limit.cause());
        assertFalse(limit.isLearned());
    }

    @Test
    void boundsAreChecked() {
        FakeTicker ticker = new FakeTicker();
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyLimit.learned(0, 8, ticker));
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyLimit.learned(9, 8, ticker));
        assertThrows(IllegalArgumentException.class, () -> ConcurrencyLimit.fixed(0));
        assertEquals(2, ConcurrencyLimit.learned(1, 2, ticker).limit(), "the start is within the bounds");
    }
}
