package io.infergate.core.load;

import io.infergate.core.FakeTicker;
import io.infergate.core.load.LoadReport.Source;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class LoadReportTest {

    private static final Duration STALE_AFTER = Duration.ofSeconds(5);

    private final FakeTicker ticker = new FakeTicker();

    private LoadReport poll() {
        return LoadReport.empty(Source.POLL, ticker.nanoTime()).withQueueDepth(3).withRunning(12).withKvCacheUsage(0.4);
    }

    private LoadReport headers() {
        return LoadReport.empty(Source.ROUTE_HEADERS, ticker.nanoTime()).withGpuUtilization(0.9).withQueueDepth(5);
    }

    @Test
    void anEmptyReportKnowsNothing() {
        LoadReport report = LoadReport.empty(Source.POLL, 42);
        assertTrue(report.isEmpty());
        assertTrue(Double.isNaN(report.utilization()));
        assertFalse(report.withTimePerToken(0.02).isEmpty(), "a timing alone is something");
        assertEquals(42, report.receivedNanos());
    }

    @Test
    void utilizationIsTheGpuFirstThenTheKvCacheThenTheQueueOverCapacity() {
        LoadReport report = LoadReport.empty(Source.POLL, 0).withQueueDepth(3).withRunning(12).withMaxConcurrent(10);
        assertEquals(1.5, report.utilization(), 1e-12, "more work than capacity reads above 1");
        report = report.withKvCacheUsage(0.4);
        assertEquals(0.4, report.utilization(), 1e-12);
        report = report.withGpuUtilization(0.75);
        assertEquals(0.75, report.utilization(), 1e-12);
    }

    @Test
    void theQueueCountsOnlyAgainstAKnownNonZeroCapacity() {
        LoadReport counts = LoadReport.empty(Source.POLL, 0).withQueueDepth(3).withRunning(12);
        assertTrue(Double.isNaN(counts.utilization()), "no capacity, no fraction");
        assertTrue(Double.isNaN(counts.withMaxConcurrent(0).utilization()));
        assertEquals(0.5, LoadReport.empty(Source.POLL, 0).withRunning(5).withMaxConcurrent(10).utilization(), 1e-12,
                "an unknown queue counts as empty when the batch is known");
        assertTrue(Double.isNaN(LoadReport.empty(Source.POLL, 0).withMaxConcurrent(10).utilization()),
                "a capacity alone says nothing about load");
    }

    @Test
    void aHeaderReportDoesNotEraseWhatThePollerKnows() {
        LoadReport older = poll();
        ticker.advance(Duration.ofSeconds(1));
        LoadReport merged = headers().over(older);
        assertEquals(Source.ROUTE_HEADERS, merged.source());
        assertEquals(ticker.nanoTime(), merged.receivedNanos());
        assertEquals(0.9, merged.gpuUtilization());
        assertEquals(5, merged.queueDepth(), "the newer value wins where both speak");
        assertEquals(12, merged.running());
        assertEquals(0.4, merged.kvCacheUsage());
    }

    @Test
    void aPollDoesNotEraseWhatTheHeadersSaid() {
        LoadReport older = headers();
        ticker.advance(Duration.ofSeconds(1));
        LoadReport merged = poll().over(older);
        assertEquals(Source.POLL, merged.source());
        assertEquals(0.9, merged.gpuUtilization());
        assertEquals(3, merged.queueDepth());
        assertEquals(12, merged.running());
    }

    @Test
    void anEmptyReportChangesNothingNotEvenTheTime() {
        LoadReport older = poll();
        ticker.advance(Duration.ofSeconds(4));
        assertSame(older, LoadReport.empty(Source.TGI_HEADERS, ticker.nanoTime()).over(older));
    }

    @Test
    void aReportGoesStaleOnceMoreThanStaleAfterHasPassed() {
        LoadReport report = poll();
        assertFalse(report.isStale(ticker.nanoTime(), STALE_AFTER));
        ticker.advance(STALE_AFTER);
        assertFalse(report.isStale(ticker.nanoTime(), STALE_AFTER), "exactly staleAfter is still fresh");
        ticker.advance(Duration.ofNanos(1));
        assertTrue(report.isStale(ticker.nanoTime(), STALE_AFTER));
    }

    @Test
    void aSourceThatStopsReportingDropsOutWhileTheOthersStay() {
        LoadReport polled = poll();
        ticker.advance(Duration.ofSeconds(4));
        LoadReport header = headers();
        LoadReport both = LoadReport.freshest(List.of(header, polled), ticker.nanoTime(), STALE_AFTER).orElseThrow();
        assertEquals(5, both.queueDepth(), "the newest report wins whatever the list order");
        assertEquals(0.4, both.kvCacheUsage());

        ticker.advance(Duration.ofSeconds(2));
        LoadReport headersOnly = LoadReport.freshest(List.of(polled, header), ticker.nanoTime(), STALE_AFTER).orElseThrow();
        assertTrue(Double.isNaN(headersOnly.kvCacheUsage()), "the poll is stale");
        assertEquals(0.9, headersOnly.gpuUtilization());

        ticker.advance(Duration.ofSeconds(4));
        assertTrue(LoadReport.freshest(List.of(polled, header), ticker.nanoTime(), STALE_AFTER).isEmpty());
    }

    @Test
    void knownValuesAreFiniteAndNotNegative() {
        LoadReport report = LoadReport.empty(Source.POLL, 0);
        assertThrows(IllegalArgumentException.class, () -> report.withQueueDepth(-1));
        assertThrows(IllegalArgumentException.class, () -> report.withGpuUtilization(Double.POSITIVE_INFINITY));
        assertThrows(IllegalArgumentException.class, () -> report.withQueueTime(-0.001));
        assertEquals(0, report.withRunning(0).running());
    }
}
