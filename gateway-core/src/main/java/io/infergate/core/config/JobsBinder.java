package io.infergate.core.config;

import io.infergate.core.job.CallbackPolicy;
import io.infergate.core.job.JobIds;
import io.infergate.core.job.WebhookSigner;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Binds {@code jobs:}; every key is optional and falls back to {@link JobsConfig#DEFAULTS}. The
 * webhook secret is read from the environment now, so a missing or malformed one stops the load
 * rather than the first webhook, and it is registered as a secret before anything is reported.
 */
final class JobsBinder {

    static final List<String> KEYS = List.of("enabled", "deadline", "maxShare", "maxQueuedPerTenant", "resultTtl",
            "maxWait", "maxJobs", "maxBytes", "webhookSecretEnv", "callbackAllow", "webhookAttempts", "webhookBackoff", "idKeyEnv",
            "lease");

    static final int MAX_QUEUED_PER_TENANT = 1_000_000;
    static final int MAX_JOBS = 10_000_000;
    static final int MAX_WEBHOOK_ATTEMPTS = 100;

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    private final EnvSubstitution env;
    private final Problems problems;

    JobsBinder(EnvSubstitution env, Problems problems) {
        this.env = env;
        this.problems = problems;
    }

    JobsConfig bind(ConfigNode jobs) {
        JobsConfig d = JobsConfig.DEFAULTS;
        if (jobs.isAbsent() || !jobs.checkMap(KEYS)) {
            return d;
        }
        boolean enabled = jobs.get("enabled").bool(d.enabled());
        Duration deadline = jobs.get("deadline").positiveDuration(d.deadline());
        double maxShare = jobs.get("maxShare").fraction(d.maxShare());
        int maxQueuedPerTenant = jobs.get("maxQueuedPerTenant").integer(d.maxQueuedPerTenant(), 1,
                MAX_QUEUED_PER_TENANT);
        Duration resultTtl = jobs.get("resultTtl").positiveDuration(d.resultTtl());
        Duration maxWait = jobs.get("maxWait").positiveDuration(d.maxWait());
        long maxJobs = jobs.get("maxJobs").integer((int) d.maxJobs(), 1, MAX_JOBS);
        long maxBytes = jobs.get("maxBytes").byteSize(d.maxBytes(), Long.MAX_VALUE);
        ConfigNode secretNode = jobs.get("webhookSecretEnv");
        String secret = secret(secretNode);
        ConfigNode allowNode = jobs.get("callbackAllow");
        List<String> callbackAllow = callbackAllow(allowNode);
        if (!callbackAllow.isEmpty() && secretNode.isAbsent()) {
            allowNode.report("callbacks are signed: set jobs.webhookSecretEnv too");
        }
        int webhookAttempts = jobs.get("webhookAttempts").integer(d.webhookAttempts(), 1, MAX_WEBHOOK_ATTEMPTS);
        Duration webhookBackoff = jobs.get("webhookBackoff").positiveDuration(d.webhookBackoff());
        String idKey = idKey(jobs.get("idKeyEnv"));
        Duration lease = jobs.get("lease").positiveDuration(d.lease());
        return new JobsConfig(enabled, deadline, maxShare, maxQueuedPerTenant, resultTtl, maxWait, maxJobs, maxBytes,
                secret, callbackAllow, webhookAttempts, webhookBackoff, idKey, lease);
    }

    /** The id key from the variable {@code idKeyEnv} names; null when absent or after reporting. */
    private String idKey(ConfigNode keyEnv) {
        String variable = keyEnv.isAbsent() ? null : keyEnv.requiredString();
        if (variable == null) {
            return null;
        }
        String key = env.valueOf(variable);
        if (key == null) {
            keyEnv.report("environment variable " + variable + " is not set");
            return null;
        }
        problems.addSecret(key);
        if (key.length() < JobIds.MIN_KEY_CHARS) {
            keyEnv.report("the key in " + variable + " has fewer than " + JobIds.MIN_KEY_CHARS
                    + " characters (value not shown)");
            return null;
        }
        return key;
    }

    /** The secret from the variable {@code webhookSecretEnv} names; null when absent or after reporting. */
    private String secret(ConfigNode secretEnv) {
        if (secretEnv.isAbsent()) {
            return null;
        }
        String variable = secretEnv.requiredString();
        if (variable == null) {
            return null;
        }
        String secret = env.valueOf(variable);
        if (secret == null && VARIABLE_NAME.matcher(variable).matches()
                && !variable.startsWith(WebhookSigner.SECRET_PREFIX)) {
            secretEnv.report("environment variable " + variable + " is not set");
            return null;
        }
        if (secret == null) {
            problems.addSecret(variable);
            // Never echo it: someone may have pasted the secret where its variable's name belongs.
            secretEnv.report("must be the name of an environment variable that holds the secret,"
                    + " not the secret itself (value not shown)");
            return null;
        }
        problems.addSecret(secret);
        if (secret.isEmpty()) {
            secretEnv.report("environment variable " + variable + " is empty");
            return null;
        }
        try {
            new WebhookSigner(secret);
            return secret;
        } catch (IllegalArgumentException e) {
            secretEnv.report("the secret in " + variable + " " + e.getMessage());
            return null;
        }
    }

    private static List<String> callbackAllow(ConfigNode allow) {
        List<String> prefixes = new ArrayList<>();
        for (ConfigNode item : allow.items()) {
            String prefix = item.requiredString();
            if (prefix == null) {
                continue;
            }
            try {
                CallbackPolicy.checkPrefix(prefix);
                prefixes.add(prefix);
            } catch (IllegalArgumentException e) {
                item.report(e.getMessage());
            }
        }
        return prefixes;
    }
}
