package io.infergate.core.recovery;

import java.util.function.BooleanSupplier;

/**
 * Whether a stream that broke after its head reached the client is continued, and where: another
 * endpoint of the same upstream (the same model) by default, a fallback upstream (another model) only
 * when the route says {@code continue}. Disarmed, the client gets the error event as before.
 */
public final class RecoveryRules {

    /** Where the continuation goes. */
    public enum Where { SAME_UPSTREAM, NEXT_UPSTREAM, NOWHERE }

    /** The decision; {@code disarmedBy} says why when it goes nowhere. */
    public record Decision(Where where, String disarmedBy) {

        static Decision nowhere(String why) {
            return new Decision(Where.NOWHERE, why);
        }

        public boolean recovers() {
            return where != Where.NOWHERE;
        }
    }

    /** What the attempt plan offers for a continuation. */
    public record Targets(boolean otherEndpoint, ContinuationStyle sameUpstream, boolean nextUpstream,
                          ContinuationStyle nextUpstreamStyle) {}

    private RecoveryRules() {}

    /**
     * @param budget whether the deadline and the upstream's retry budget allow another attempt; asked
     *               last, only for a continuation that could go somewhere, as asking spends a retry
     */
    public static Decision decide(RecoveryScope scope, RecoverableRequest request, StreamTranscript transcript,
                                  Targets targets, BooleanSupplier budget) {
        if (scope == RecoveryScope.OFF) {
            return Decision.nowhere("the route turned it off");
        }
        if (!request.armed()) {
            return Decision.nowhere(request.disarmedBy());
        }
        if (transcript.ended()) {
            return Decision.nowhere("the answer had ended");
        }
        Where where;
        if (targets.otherEndpoint() && targets.sameUpstream() != ContinuationStyle.NONE) {
            where = Where.SAME_UPSTREAM;
        } else if (scope == RecoveryScope.CONTINUE && targets.nextUpstream()
                && targets.nextUpstreamStyle() != ContinuationStyle.NONE) {
            where = Where.NEXT_UPSTREAM;
        } else {
            return Decision.nowhere(scope == RecoveryScope.ENDPOINT && targets.nextUpstream()
                    ? "no other endpoint of the upstream, and the route keeps answers to one model"
                    : "no endpoint left that continues answers");
        }
        return budget.getAsBoolean() ? new Decision(where, null)
                : Decision.nowhere("the retry budget or the deadline is spent");
    }
}
