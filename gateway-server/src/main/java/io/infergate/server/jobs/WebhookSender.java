package io.infergate.server.jobs;

import io.infergate.core.job.Job;
import io.infergate.core.job.JobDocument;
import io.infergate.core.job.JobStore;
import io.infergate.core.job.Webhook;
import io.infergate.core.job.WebhookBackoff;
import io.infergate.core.job.WebhookSigner;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * POSTs a finished job's document to its callback URL, signed in the Standard Webhooks form, and
 * tries again with backoff until a 2xx or {@code jobs.webhookAttempts}; the job document records
 * each attempt. Every attempt of one job carries the same {@code webhook-id}, so a receiver can
 * drop duplicates.
 */
final class WebhookSender {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);

    private final JobStore store;
    private final WebhookSigner signer;
    private final WebhookBackoff backoff;
    private final int maxAttempts;
    private final ScheduledExecutorService scheduler;
    private final JobMeters meters;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(ATTEMPT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();

    WebhookSender(JobStore store, WebhookSigner signer, WebhookBackoff backoff, int maxAttempts,
                  ScheduledExecutorService scheduler, JobMeters meters) {
        this.store = store;
        this.meters = meters;
        this.signer = signer;
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
        this.scheduler = scheduler;
    }

    /** A job ended: its webhook, if it has one pending, is on its way. */
    void jobFinished(Job job) {
        if (job.webhook() != null && job.webhook().delivery() == Webhook.Delivery.PENDING) {
            attempt(job.tenant(), job.id(), 1);
        }
    }

    private void attempt(String tenant, String id, int attempt) {
        Job job = store.get(tenant, id).orElse(null);
        if (job == null || job.webhook() == null || job.webhook().delivery() != Webhook.Delivery.PENDING) {
            return;
        }
        byte[] body = JobDocument.toJson(job).getBytes(StandardCharsets.UTF_8);
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(job.webhook().url()))
                .timeout(ATTEMPT_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofByteArray(body));
        long timestamp = System.currentTimeMillis() / 1000;
        for (Map.Entry<String, String> header : signer.sign(id, timestamp, body).asMap().entrySet()) {
            request.header(header.getKey(), header.getValue());
        }
        http.sendAsync(request.build(), HttpResponse.BodyHandlers.discarding()).whenComplete((response, failure) -> {
            boolean delivered = response != null && response.statusCode() / 100 == 2;
            meters.delivered(delivered);
            if (delivered) {
                store.update(id, Job::webhookDelivered);
                return;
            }
            String why = response != null ? "answered " + response.statusCode() : String.valueOf(failure);
            store.update(id, j -> j.webhookFailed(why, maxAttempts));
            if (attempt < maxAttempts) {
                scheduler.schedule(() -> attempt(tenant, id, attempt + 1), backoff.delay(attempt).toNanos(),
                        TimeUnit.NANOSECONDS);
            } else {
                log.info("webhook of job {} given up after {} attempts: {}", id, attempt, why);
            }
        });
    }
}
