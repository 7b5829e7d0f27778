package io.infergate.core.upstream;

import io.infergate.core.load.LoadReport;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicReferenceArray;
import java.util.concurrent.atomic.LongAdder;

/**
 * What an endpoint last said about its load, one report per source (headers, the poller), so a
 * source that goes quiet ages out on its own while the others keep theirs. Written from any event
 * loop after a response, read by every balancing and admission decision; lock-free.
 */
public final class EndpointLoad {

    private final AtomicReferenceArray<LoadReport> bySource = new AtomicReferenceArray<>(LoadReport.Source.values().length);
    private final LongAdder rejected = new LongAdder();

    /** A report arrived: it is laid over the last one from the same source. Empty reports change nothing. */
    public void report(LoadReport report) {
        if (report.isEmpty()) {
            return;
        }
        int slot = report.source().ordinal();
        bySource.accumulateAndGet(slot, report, (older, newer) -> older == null ? newer : newer.over(older));
    }

    /** A load signal could not be read (a malformed header, a bad page): counted, otherwise ignored. */
    public void rejected() {
        rejected.increment();
    }

    public long rejectedCount() {
        return rejected.sum();
    }

    /** The last report from {@code source}, stale or not; null when it has said nothing. */
    public LoadReport last(LoadReport.Source source) {
        return bySource.get(source.ordinal());
    }

    /** The fresh reports merged, newest on top; empty when every source is stale or silent. */
    public Optional<LoadReport> current(long nowNanos, Duration staleAfter) {
        List<LoadReport> reports = null; // an endpoint that reports nothing costs balancing no allocation
        for (int i = 0; i < bySource.length(); i++) {
            LoadReport report = bySource.get(i);
            if (report != null) {
                if (reports == null) {
                    reports = new ArrayList<>(bySource.length());
                }
                reports.add(report);
            }
        }
        return reports == null ? Optional.empty() : LoadReport.freshest(reports, nowNanos, staleAfter);
    }
}
