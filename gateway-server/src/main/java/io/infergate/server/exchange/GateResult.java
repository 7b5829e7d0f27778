package io.infergate.server.exchange;

import io.infergate.core.error.GatewayError;
import io.infergate.core.job.Job;

/** What the gate decided about a request, at once or once its queue let it through. */
sealed interface GateResult {

    /** Admitted: the attempts begin; {@code inRead} while still inside the client's read. */
    record Pass(boolean inRead) implements GateResult {}

    /** Stored as a job ({@code Prefer: respond-async}): the client is told so, and the exchange ends. */
    record Accepted(Job job) implements GateResult {}

    /** Refused: unknown key, forbidden route, rate limit, admission, or a job that cannot be stored. */
    record Refused(GatewayError error, String message) implements GateResult {}
}
