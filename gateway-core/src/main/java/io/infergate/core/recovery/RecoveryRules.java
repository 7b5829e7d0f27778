package io.infergate.core.recovery;

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
     * @param budgetLeft whether the deadline and the upstream's retry budget allow another attempt
     */
    public static Decision decide(RecoveryScope scope, RecoverableRequest request, StreamTranscript transcript,
                                  Targets targets, boolean budgetLeft) {
        if (scope == RecoveryScope.OFF) {
            return Decision.nowhere("the route turned it off");
        }
        if (!request.armed()) {
            return Decision.nowhere(request.disarmedBy());
        }
        if (transcript.ended()) {
            return Decision.nowhere("the answer had ended");
        }
        if (!budgetLeft) {
            return Decision.nowhere("the retry budget or the deadline is spent");
        }
        if (targets.otherEndpoint() && targets.sameUpstream() != ContinuationStyle.NONE) {
            return new Decision(Where.SAME_UPSTREAM, null);
        }
        if (scope == RecoveryScope.CONTINUE && targets.nextUpstream()
                && targets.nextUpstreamStyle() != ContinuationStyle.NONE) {
            return new Decision(Where.NEXT_UPSTREAM, null);
        }
        return Decision.nowhere(scope == RecoveryScope.ENDPOINT && targets.nextUpstream()
                ? "no other endpoint of the upstream, and the route keeps answers to one model"
                : "no endpoint left that continues answers");
    }
}
