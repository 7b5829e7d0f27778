package io.infergate.core.resilience;

import io.infergate.core.resilience.AttemptOutcome.Answered;
import io.infergate.core.resilience.AttemptOutcome.FirstByteTimeout;
import io.infergate.core.resilience.AttemptOutcome.TlsFailed;

import java.time.Duration;
import java.util.Set;

/**
 * What to do after an attempt, while nothing has reached the client: hand the answer over, try the
 * same upstream again after a pause, or move on to the next upstream. Also says whether the outcome
 * counts against the endpoint's breaker: breakage does, load (429) and the client's own errors do not.
 */
public final class RetryRules {

    /** The three ways on. */
    public enum Verdict { DELIVER, RETRY, NEXT_UPSTREAM }

    /**
     * @param delayNanos       the pause before a {@link Verdict#RETRY}
     * @param avoidEndpoint    retry on another endpoint of the upstream if it has one (a silent one is not asked twice)
     * @param breakerFailure   whether the endpoint's breaker records a failure
     */
    public record Decision(Verdict verdict, long delayNanos, boolean avoidEndpoint, boolean breakerFailure) {}

    private final RetryPolicy policy;
    private final Set<String> fallbackOn;

    public RetryRules(RetryPolicy policy, Set<String> fallbackOn) {
        this.policy = policy;
        this.fallbackOn = Set.copyOf(fallbackOn);
    }

    /**
     * @param attemptsMade attempts already made on this upstream, this one included
     * @param nanosLeft    what is left of the request's deadline
     * @param random       uniform in [0, 1), for the backoff's jitter
     */
    public Decision decide(AttemptOutcome outcome, int attemptsMade, long nanosLeft, RetryBudget budget, double random) {
        if (outcome instanceof Answered answered) {
            return afterAnswer(answered, attemptsMade, nanosLeft, budget, random);
        }
        if (outcome instanceof TlsFailed) {
            // Configuration, not chance: asking again gets the same certificate.
            return new Decision(Verdict.NEXT_UPSTREAM, 0, true, true);
        }
        // No answer at all is breakage; a silent endpoint is not asked twice.
        boolean silent = outcome instanceof FirstByteTimeout;
        return retryOrMoveOn(attemptsMade, nanosLeft, budget, random, silent, true);
    }

    private Decision afterAnswer(Answered answered, int attemptsMade, long nanosLeft, RetryBudget budget, double random) {
        int status = answered.status();
        if (status == 429) {
            // Load, not breakage: wait out the upstream's own estimate when it fits, else go elsewhere.
            Duration retryAfter = answered.retryAfter();
            if (retryAfter != null) {
                // Compared as durations: an upstream's Retry-After of centuries would overflow nanoseconds.
                boolean fits = retryAfter.compareTo(policy.maxRetryAfter()) <= 0
                        && retryAfter.compareTo(Duration.ofNanos(nanosLeft)) < 0;
                if (fits && attemptsMade < policy.attempts() && budget.tryRetry()) {
                    return new Decision(Verdict.RETRY, retryAfter.toNanos(), false, false);
                }
                return new Decision(Verdict.NEXT_UPSTREAM, 0, false, false);
            }
            return retryOrMoveOn(attemptsMade, nanosLeft, budget, random, false, false);
        }
        if (policy.on().contains(status)) {
            return retryOrMoveOn(attemptsMade, nanosLeft, budget, random, false, status >= 500);
        }
        if (status >= 400 && status < 500 && answered.errorCode() != null && fallbackOn.contains(answered.errorCode())) {
            return new Decision(Verdict.NEXT_UPSTREAM, 0, false, false);
        }
        return new Decision(Verdict.DELIVER, 0, false, false);
    }

    private Decision retryOrMoveOn(int attemptsMade, long nanosLeft, RetryBudget budget, double random,
                                   boolean avoidEndpoint, boolean breakerFailure) {
        long delay = policy.backoffNanos(attemptsMade, random);
        if (attemptsMade < policy.attempts() && delay < nanosLeft && budget.tryRetry()) {
            return new Decision(Verdict.RETRY, delay, avoidEndpoint, breakerFailure);
        }
        return new Decision(Verdict.NEXT_UPSTREAM, 0, avoidEndpoint, breakerFailure);
    }
}
