package io.infergate.core.config;

import io.infergate.core.job.StoreLimits;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static io.infergate.core.config.ConfigFixtures.ONE_ROUTE;
import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobsSectionTest {

    private static final String SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private static final String ID_KEY = "k7Vq2xN9pL4mR8sT1wY6zB3cD5fG0hJ2";

    @Test
    void withoutAJobsSectionJobsRunAtTheBuiltInSettings() throws ConfigException {
        JobsConfig jobs = load(ONE_ROUTE).jobs();

        assertEquals(JobsConfig.DEFAULTS, jobs);
        assertEquals(new JobsConfig(true, Duration.ofHours(1), 0.5, 100, Duration.ofHours(1), Duration.ofSeconds(50),
                10_000, 256L << 20, null, List.of(), 5, Duration.ofSeconds(1), null, Duration.ofSeconds(15)), jobs);
        assertFalse(jobs.callbackPolicy().allows("https://hooks.example.com/"));
        assertTrue(jobs.webhookSigner().isEmpty());
    }

    @Test
    void everyKeyIsBound() throws ConfigException {
        JobsConfig jobs = ConfigLoader.load("""
                jobs:
                  enabled: false
                  deadline: 2h
                  maxShare: 0.25
                  maxQueuedPerTenant: 20
                  resultTtl: 30m
                  maxWait: 25s
                  maxJobs: 500
                  maxBytes: 64MiB
                  webhookSecretEnv: JOBS_WEBHOOK_SECRET
                  callbackAllow: [ "https://hooks.example.com/infergate/", "http://10.0.0.5:8080" ]
                  webhookAttempts: 8
                  webhookBackoff: 500ms
                  idKeyEnv: JOBS_ID_KEY
                  lease: 6s
                """ + ONE_ROUTE, Map.of("JOBS_WEBHOOK_SECRET", SECRET, "JOBS_ID_KEY", ID_KEY)).jobs();

        assertEquals(new JobsConfig(false, Duration.ofHours(2), 0.25, 20, Duration.ofMinutes(30),
                Duration.ofSeconds(25), 500, 64L << 20, SECRET,
                List.of("https://hooks.example.com/infergate/", "http://10.0.0.5:8080"), 8, Duration.ofMillis(500),
                ID_KEY, Duration.ofSeconds(6)), jobs);
        assertEquals(new StoreLimits(500, 64L << 20, Duration.ofMinutes(30), 20), jobs.storeLimits());
        assertTrue(jobs.callbackPolicy().allows("https://hooks.example.com/infergate/done"));
        assertTrue(jobs.webhookSigner().isPresent());
        assertFalse(jobs.toString().contains("MfKQ9r8"), jobs.toString());
        assertFalse(jobs.toString().contains(ID_KEY), jobs.toString());
        String id = jobs.jobIds().newId("acme");
        assertTrue(jobs.jobIds().issued(id, "acme"), "ids under the configured key are known again by another issuer");
    }

    @Test
    void badValuesAreReportedByPath() {
        List<String> problems = problemsOf("""
                jobs:
                  enabeld: true
                  deadline: 0s
                  maxShare: 50
                  maxQueuedPerTenant: 0
                  resultTtl: 1d
                  maxWait: -5s
                  maxJobs: many
                  maxBytes: 1GB
                  callbackAllow: [ "hooks.example.com", "https://u:p@hooks.example.com/", "https://h/?q=1", 7 ]
                  webhookAttempts: 1000
                  webhookBackoff: 0ms
                """ + ONE_ROUTE);

        assertEquals(List.of(
                "jobs.enabeld: unknown key (did you mean \"enabled\"?)",
                "jobs.deadline: \"0s\" must be positive",
                "jobs.maxShare: \"50\" is out of range (expected: more than 0 and at most 1, such as 0.95)",
                "jobs.maxQueuedPerTenant: \"0\" is out of range (expected: 1-1000000)",
                "jobs.resultTtl: \"1d\" is not a duration (expected: an integer and a unit ms, s, m or h, as in 250ms"
                        + " or 10s)",
                "jobs.maxWait: \"-5s\" must not be negative",
                "jobs.maxJobs: \"many\" is not an integer",
                "jobs.maxBytes: \"1GB\" is not a byte size (expected: an integer, or an integer with KiB, MiB or GiB,"
                        + " as in 10MiB)",
                "jobs.callbackAllow[0]: \"hooks.example.com\" is not an absolute http(s) URL without user info",
                "jobs.callbackAllow[1]: \"https://u:p@hooks.example.com/\" is not an absolute http(s) URL without"
                        + " user info",
                "jobs.callbackAllow[2]: \"https://h/?q=1\" must not carry a query or a fragment",
                "jobs.callbackAllow[3]: \"7\" is not an absolute http(s) URL without user info",
                "jobs.webhookAttempts: \"1000\" is out of range (expected: 1-100)",
                "jobs.webhookBackoff: \"0ms\" must be positive"), problems);
    }

    @Test
    void callbacksNeedASecretToSignThem() {
        assertEquals(List.of("jobs.callbackAllow: callbacks are signed: set jobs.webhookSecretEnv too"),
                problemsOf("jobs: { callbackAllow: [ \"https://hooks.example.com/\" ] }\n" + ONE_ROUTE));
    }

    @Test
    void jobsMustBeAMap() {
        assertEquals(List.of("jobs: expected a map, got a list"), problemsOf("jobs: [ 1 ]\n" + ONE_ROUTE));
    }

    @Test
    void theWebhookSecretMustBeSetAndInTheStandardWebhooksForm() {
        String yaml = "jobs: { webhookSecretEnv: JOBS_WEBHOOK_SECRET }\n" + ONE_ROUTE;

        assertEquals(List.of("jobs.webhookSecretEnv: environment variable JOBS_WEBHOOK_SECRET is not set"),
                problemsOf(yaml, Map.of()));
        assertEquals(List.of("jobs.webhookSecretEnv: environment variable JOBS_WEBHOOK_SECRET is empty"),
                problemsOf(yaml, Map.of("JOBS_WEBHOOK_SECRET", "")));
        assertEquals(List.of("jobs.webhookSecretEnv: the secret in JOBS_WEBHOOK_SECRET does not start with whsec_"
                        + " (expected: whsec_ and the base64 of 24 to 64 random bytes, as in"
                        + " whsec_$(openssl rand -base64 32))"),
                problemsOf(yaml, Map.of("JOBS_WEBHOOK_SECRET", "MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")));
        assertEquals(List.of("jobs.webhookSecretEnv: the secret in JOBS_WEBHOOK_SECRET holds 3 bytes"
                        + " (expected: whsec_ and the base64 of 24 to 64 random bytes, as in"
                        + " whsec_$(openssl rand -base64 32))"),
                problemsOf(yaml, Map.of("JOBS_WEBHOOK_SECRET", "whsec_AAAA")));
    }

    @Test
    void theIdKeyMustBeSetAndLongEnoughAndIsNeverShown() {
        String yaml = "jobs: { idKeyEnv: JOBS_ID_KEY }\n" + ONE_ROUTE;

        assertEquals(List.of("jobs.idKeyEnv: environment variable JOBS_ID_KEY is not set"), problemsOf(yaml, Map.of()));
        assertEquals(List.of("jobs.idKeyEnv: the key in JOBS_ID_KEY has fewer than 32 characters (value not shown)"),
                problemsOf(yaml, Map.of("JOBS_ID_KEY", "short-key-9f3")));
    }

    @Test
    void aSecretWhereItsVariablesNameBelongsIsNeverShown() {
        List<String> problems = problemsOf("jobs: { webhookSecretEnv: \"" + SECRET + "\" }\n" + ONE_ROUTE);

        assertEquals(List.of("jobs.webhookSecretEnv: must be the name of an environment variable that holds the"
                + " secret, not the secret itself (value not shown)"), problems);
    }

    @Test
    void aSecretSubstitutedIntoAnotherValueIsNeverShown() {
        List<String> problems = problemsOf("""
                jobs:
                  webhookSecretEnv: JOBS_WEBHOOK_SECRET
                  callbackAllow: [ "https://hooks.example.com/${JOBS_WEBHOOK_SECRET}?" ]
                """ + ONE_ROUTE, Map.of("JOBS_WEBHOOK_SECRET", SECRET));

        assertEquals(List.of("jobs.callbackAllow[0]: \"https://hooks.example.com/[redacted]?\" must not carry a query"
                + " or a fragment"), problems);
    }
}
