package io.infergate.server.wire;

import io.infergate.core.capacity.ConcurrencyLimit;
import io.infergate.core.load.LoadReport;
import io.infergate.core.load.NamedLoadHeaders;
import io.infergate.core.load.OrcaLoadParser;
import io.infergate.core.load.OrcaReport;
import io.infergate.core.load.Parsed;
import io.infergate.core.load.TgiTimingHeaders;
import io.infergate.core.upstream.EndpointLoad;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.function.Function;

/**
 * The load an endpoint reports in its response headers, handed to its {@link EndpointLoad}: ORCA's
 * {@code endpoint-load-metrics}, TGI's timing headers, and the headers a route names. A header that
 * cannot be read is counted and otherwise ignored; it never fails the response that carried it.
 * TGI's timings also go to the route's concurrency limit for the endpoint, which learns from them.
 */
public final class LoadSignals {

    /** Asks for ORCA reports in the text form (vLLM answers it on non-streaming responses). */
    static final AsciiString FORMAT_REQUEST = AsciiString.cached("endpoint-load-metrics-format");
    static final AsciiString TEXT = AsciiString.cached("text");

    private LoadSignals() {}

    /** @param startedNanos when the request that this response answers went to the endpoint */
    public static void record(HttpHeaders headers, EndpointLoad load, ConcurrencyLimit limit, long startedNanos,
                              NamedLoadHeaders named, long now) {
        Function<String, String> lookup = headers::get;
        Parsed<OrcaReport> orca = OrcaLoadParser.fromHeaders(lookup);
        if (orca instanceof Parsed.Accepted<OrcaReport> accepted) {
            if (accepted.value() != OrcaReport.EMPTY) {
                load.report(accepted.value().toLoadReport(now));
            }
        } else {
            load.rejected();
        }
        Parsed<LoadReport> timings = TgiTimingHeaders.read(lookup, now);
        if (timings instanceof Parsed.Accepted<LoadReport> accepted && !accepted.value().isEmpty()) {
            LoadReport r = accepted.value();
            limit.timings(startedNanos, r.queueTime(), r.inferenceTime(), r.timePerToken());
        }
        take(timings, load);
        if (named != null) {
            take(named.read(lookup, now), load);
        }
    }

    private static void take(Parsed<LoadReport> parsed, EndpointLoad load) {
        if (parsed instanceof Parsed.Accepted<LoadReport> accepted) {
            load.report(accepted.value());
        } else {
            load.rejected();
        }
    }
}
