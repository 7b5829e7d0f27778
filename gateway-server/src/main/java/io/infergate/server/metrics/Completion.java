package io.infergate.server.metrics;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Timer;

/** The duration timer and the request counter of one upstream, status and outcome of a route. */
record Completion(String upstream, int status, String outcome, Timer duration, Counter count) {
    boolean is(String upstream, int status, String outcome) {
        return this.status == status && this.upstream.equals(upstream) && this.outcome.equals(outcome);
    }
}
