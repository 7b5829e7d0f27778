package io.infergate.core.upstream;

import io.infergate.core.load.LoadReport;
import io.infergate.core.load.LoadReport.Source;
import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class EndpointLoadTest {

    private static final long S = 1_000_000_000L;
    private static final Duration STALE_AFTER = Duration.ofSeconds(5);

    private final EndpointLoad load = new EndpointLoad();

    @Test
    void sourcesAreMergedAndEachAgesOutOnItsOwn() {
        load.report(LoadReport.empty(Source.POLL, 0).withQueueDepth(7).withGpuUtilization(0.5));
        load.report(LoadReport.empty(Source.ORCA, 3 * S).withGpuUtilization(0.9));

        LoadReport both = load.current(4 * S, STALE_AFTER).orElseThrow();
        assertEquals(0.9, both.gpuUtilization(), "the newer source wins where both speak");
        assertEquals(7, both.queueDepth(), "and the older keeps what only it says");

        LoadReport headersOnly = load.current(6 * S, STALE_AFTER).orElseThrow();
        assertTrue(Double.isNaN(headersOnly.queueDepth()), "the quiet poller's report aged out");
        assertEquals(0.9, headersOnly.gpuUtilization());

        assertTrue(load.current(9 * S, STALE_AFTER).isEmpty());
    }

    @Test
    void aPartialReportFromOneSourceKeepsThatSourcesOtherValues() {
        load.report(LoadReport.empty(Source.ORCA, 0).withGpuUtilization(0.4).withQueueDepth(3));
        load.report(LoadReport.empty(Source.ORCA, S).withGpuUtilization(0.6));
        LoadReport current = load.current(S, STALE_AFTER).orElseThrow();
        assertEquals(0.6, current.gpuUtilization());
        assertEquals(3, current.queueDepth());
    }

    @Test
    void emptyReportsChangeNothingAndRejectionsAreCounted() {
        load.report(LoadReport.empty(Source.TGI_HEADERS, 0));
        assertTrue(load.current(0, STALE_AFTER).isEmpty());
        load.rejected();
        load.rejected();
        assertEquals(2, load.rejectedCount());
    }
}
