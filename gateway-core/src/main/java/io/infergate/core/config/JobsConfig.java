package io.infergate.core.config;

import io.infergate.core.job.CallbackPolicy;
import io.infergate.core.job.JobIds;
import io.infergate.core.job.StoreLimits;
import io.infergate.core.job.WebhookSigner;

import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * Asynchronous jobs: requests sent with {@code Prefer: respond-async}, answered at once with a job
 * id and collected later.
 *
 * @param deadline           a job's whole deadline, in place of the client's
 * @param maxShare           the fraction of each endpoint's slots jobs may hold, so interactive traffic keeps
 *                           its headroom
 * @param maxQueuedPerTenant jobs one tenant may have waiting; beyond, {@code 429 queue_full}
 * @param resultTtl          how long a finished job's result is kept; its document says {@code expired} for as
 *                           long again
 * @param maxWait            the longest long poll ({@code ?wait=})
 * @param maxJobs            jobs held at once, in every status
 * @param maxBytes           bytes of results held at once
 * @param webhookSecret      the webhook signing secret ({@code whsec_...}), read from the environment
 *                           variable {@code webhookSecretEnv}; null: none, and then no callbacks
 * @param callbackAllow      URL prefixes callbacks must be under; empty: no callbacks
 * @param webhookAttempts    delivery attempts, the first included
 * @param webhookBackoff     the first retry's backoff ceiling, doubled for each further one
 * @param idKey              the key job ids are tagged with, read from the environment variable
 *                           {@code idKeyEnv}; null: one made at start
 * @param lease              how long a running job stays its gateway's without a renewal (renewed every third
 *                           of it); a job whose gateway stopped is run again by another once it lapses
 */
public record JobsConfig(boolean enabled, Duration deadline, double maxShare, int maxQueuedPerTenant,
                         Duration resultTtl, Duration maxWait, long maxJobs, long maxBytes, String webhookSecret,
                         List<String> callbackAllow, int webhookAttempts, Duration webhookBackoff, String idKey,
                         Duration lease) {

    public static final JobsConfig DEFAULTS = new JobsConfig(true, Duration.ofHours(1), 0.5, 100,
            Duration.ofHours(1), Duration.ofSeconds(50), 10_000, 256L << 20, null, List.of(), 5,
            Duration.ofSeconds(1), null, Duration.ofSeconds(15));

    public JobsConfig {
        callbackAllow = List.copyOf(callbackAllow);
        for (Duration d : List.of(deadline, resultTtl, maxWait, webhookBackoff, lease)) {
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException("every jobs duration must be positive, not " + d);
            }
        }
        if (!(maxShare > 0 && maxShare <= 1)) {
            throw new IllegalArgumentException("maxShare: " + maxShare + " (expected: > 0 and <= 1)");
        }
        if (maxQueuedPerTenant < 1 || maxJobs < 1 || maxBytes < 1 || webhookAttempts < 1) {
            throw new IllegalArgumentException("maxQueuedPerTenant, maxJobs, maxBytes and webhookAttempts must be"
                    + " positive");
        }
        new CallbackPolicy(callbackAllow); // checks every prefix
        if (webhookSecret != null) {
            new WebhookSigner(webhookSecret); // checks its form, without showing it
        }
        if (idKey != null) {
            JobIds.withKey(idKey); // checks its length, without showing it
        }
    }

    public StoreLimits storeLimits() {
        return new StoreLimits(maxJobs, maxBytes, resultTtl, maxQueuedPerTenant);
    }

    public CallbackPolicy callbackPolicy() {
        return new CallbackPolicy(callbackAllow);
    }

    /** What issues job ids and knows them again: under {@code idKey}, else under a key made now. */
    public JobIds jobIds() {
        return idKey == null ? JobIds.withRandomKey() : JobIds.withKey(idKey);
    }

    /** The signer for webhooks; empty without a secret. */
    public Optional<WebhookSigner> webhookSigner() {
        return Optional.ofNullable(webhookSecret).map(WebhookSigner::new);
    }

    @Override
    public String toString() {
        return "JobsConfig[enabled=" + enabled + ", deadline=" + deadline + ", maxShare=" + maxShare
                + ", maxQueuedPerTenant=" + maxQueuedPerTenant + ", resultTtl=" + resultTtl + ", maxWait=" + maxWait
                + ", maxJobs=" + maxJobs + ", maxBytes=" + maxBytes
                + ", webhookSecret=" + (webhookSecret == null ? "none" : "[not shown]")
                + ", callbackAllow=" + callbackAllow + ", webhookAttempts=" + webhookAttempts
                + ", webhookBackoff=" + webhookBackoff + ", idKey=" + (idKey == null ? "none" : "[not shown]") + "]";
    }
}
