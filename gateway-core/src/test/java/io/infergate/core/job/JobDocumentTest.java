package io.infergate.core.job;

import io.infergate.core.error.GatewayError;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static io.infergate.core.job.JobFixtures.FINISHED;
import static io.infergate.core.job.JobFixtures.STARTED;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

class JobDocumentTest {

    private static final String HEAD = "{\"id\":\"job_a\",\"status\":\"%s\",\"createdAt\":\"2025-11-25T12:00:00Z\","
            + "\"startedAt\":%s,\"finishedAt\":%s,\"route\":\"llama\",\"upstream\":%s,\"attempts\":%d";
    private static final String STARTED_AT = "\"2025-11-25T12:00:01Z\"";
    private static final String FINISHED_AT = "\"2025-11-25T12:00:02Z\"";

    private static String head(String status, String startedAt, String finishedAt, String upstream, int attempts) {
        return HEAD.formatted(status, startedAt, finishedAt, upstream, attempts);
    }

    private static String resultOf(String contentType, byte[] body) {
        Job job = JobFixtures.running().succeed(FINISHED, new JobResult(200,
                Map.of("X-Generated-Tokens", "3", "Content-Type", contentType), contentType, body)).orElseThrow();
        String json = JobDocument.toJson(job);
        String prefix = head("succeeded", STARTED_AT, FINISHED_AT, "\"primary\"", 1) + ",\"result\":{\"status\":200,"
                + "\"headers\":{\"content-type\":\"" + contentType + "\",\"x-generated-tokens\":\"3\"},"
                + "\"contentType\":\"" + contentType + "\",";
        assertTrue(json.startsWith(prefix), json);
        return json.substring(prefix.length());
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    @Test
    void aQueuedJobHasEveryKeyWithNullsForWhatHasNotHappened() {
        assertEquals(head("queued", "null", "null", "null", 0) + "}", JobDocument.toJson(JobFixtures.queued()));
    }

    @Test
    void aRunningJobHasItsStartAndUpstream() {
        assertEquals(head("running", STARTED_AT, "null", "\"primary\"", 1) + "}",
                JobDocument.toJson(JobFixtures.running()));
    }

    @Test
    void aJsonBodyIsInlinedAsTheUpstreamWroteIt() {
        assertEquals("\"body\":{\"generated_text\":\"hi\",\"n\":1.10,\"big\":123456789012345678901234567890,"
                        + "\"e\":[1E+400,null,true]}}}",
                resultOf("application/json", utf8(" {\"generated_text\":\"hi\", \"n\":1.10,"
                        + "\"big\":123456789012345678901234567890,\"e\":[1e400,null,true]}\n")));
        assertEquals("\"body\":{\"title\":\"x\"}}}", resultOf("application/problem+json; charset=utf-8",
                utf8("{\"title\":\"x\"}")));
    }

    @Test
    void jsonThatIsNotExactlyOneFaithfulValueIsKeptAsText() {
        assertEquals("\"body\":\"{\\\"a\\\":1} {\\\"b\\\":2}\"}}", resultOf("application/json", utf8("{\"a\":1} {\"b\":2}")));
        assertEquals("\"body\":\"{\\\"a\\\":1,\\\"a\\\":2}\"}}", resultOf("application/json", utf8("{\"a\":1,\"a\":2}")));
        assertEquals("\"body\":\"{\\\"a\\\":\"}}", resultOf("application/json", utf8("{\"a\":")));
        assertEquals("\"body\":\"\"}}", resultOf("application/json", new byte[0]));
    }

    @Test
    void textIsAStringAndAnEventStreamTranscriptStaysWhole() {
        assertEquals("\"body\":\"caf\u00e9\"}}", resultOf("text/plain", utf8("caf\u00e9")));
        assertEquals("\"body\":\"data: {\\\"token\\\":1}\\n\\ndata: [DONE]\\n\\n\"}}",
                resultOf("text/event-stream", utf8("data: {\"token\":1}\n\ndata: [DONE]\n\n")));
        assertEquals("\"body\":\"{\\\"a\\\":1}\"}}", resultOf("text/plain", utf8("{\"a\":1}")),
                "JSON is inlined only when the upstream said it is JSON");
    }

    @Test
    void bytesThatAreNotUtf8AreBase64() {
        assertEquals("\"bodyBase64\":\"/wDA\"}}", resultOf("application/octet-stream",
                new byte[] {(byte) 0xFF, 0, (byte) 0xC0}));
        assertEquals("\"bodyBase64\":\"wK8=\"}}", resultOf("application/json", new byte[] {(byte) 0xC0, (byte) 0xAF}),
                "an overlong encoding is not UTF-8");
    }

    @Test
    void aResultWithoutAContentTypeSaysSo() {
        Job job = JobFixtures.running().succeed(FINISHED, new JobResult(204, Map.of(), null, new byte[0]))
                .orElseThrow();
        assertEquals(head("succeeded", STARTED_AT, FINISHED_AT, "\"primary\"", 1)
                        + ",\"result\":{\"status\":204,\"headers\":{},\"contentType\":null,\"body\":\"\"}}",
                JobDocument.toJson(job));
    }

    @Test
    void aFailedJobHasTheGatewaysCauseAndMessage() {
        Job job = JobFixtures.queued().fail(FINISHED, JobError.of(GatewayError.QUEUE_FULL, "no place \"here\""))
                .orElseThrow();
        assertEquals(head("failed", "null", FINISHED_AT, "null", 0)
                        + ",\"error\":{\"type\":\"queue_full\",\"message\":\"no place \\\"here\\\"\"}}",
                JobDocument.toJson(job));
    }

    @Test
    void aWebhookShowsItsDelivery() {
        Job job = Job.queued("job_a", "acme", "llama", "POST", "/llama/generate", JobFixtures.CREATED,
                        "https://hooks.example.com/j?x=1")
                .start(STARTED).orElseThrow().cancel(FINISHED).orElseThrow()
                .webhookFailed("503 Service Unavailable", 5).orElseThrow();
        assertEquals(head("cancelled", STARTED_AT, FINISHED_AT, "null", 0)
                        + ",\"webhook\":{\"url\":\"https://hooks.example.com/j?x=1\",\"delivery\":\"pending\","
                        + "\"attempts\":1,\"lastError\":\"503 Service Unavailable\"}}",
                JobDocument.toJson(job));
        String pending = JobDocument.toJson(Job.queued("job_a", "acme", "llama", "POST", "/", JobFixtures.CREATED,
                "https://hooks.example.com/"));
        assertTrue(pending.endsWith(",\"webhook\":{\"url\":\"https://hooks.example.com/\",\"delivery\":\"pending\","
                + "\"attempts\":0,\"lastError\":null}}"), pending);
    }

    @Test
    void anExpiredJobKeepsItsTimesButNotItsResult() {
        String json = JobDocument.toJson(JobFixtures.expired());
        assertEquals(head("expired", STARTED_AT, FINISHED_AT, "\"primary\"", 1) + "}", json);
        assertFalse(json.contains("result"));
    }

    @Test
    void millisecondsShowWhenThereAreAny() {
        Job job = Job.queued("job_a", "acme", "llama", "POST", "/", new Moment(JobFixtures.T0_MILLIS + 5, 0), null);
        assertTrue(JobDocument.toJson(job).contains("\"createdAt\":\"2025-11-25T12:00:00.005Z\""));
    }
}
