package io.infergate.core.recovery;

import java.util.Locale;

/** How the recovery of a stream that broke after content reached the client ended, as the meters count it. */
public enum RecoveryOutcome {
    /** Continued elsewhere with the partial answer as prefill: the client read a whole answer. */
    CONTINUED,
    /** Generated again elsewhere, compared, and relayed from the first new text: a whole answer. */
    REGENERATED,
    /** The regenerated answer differed from what the client had: it got the error event. */
    DIVERGED,
    /** The continuation failed as well (an error answer, another break): the client got the error event. */
    FAILED,
    /** Not continued (the request, the route, the budget or the targets disarmed it): the error event. */
    DISARMED;

    public String label() {
        return name().toLowerCase(Locale.ROOT);
    }
}
