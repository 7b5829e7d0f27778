package io.infergate.server.jobs;

import io.infergate.core.job.Job;
import io.infergate.core.job.JobDocument;
import io.infergate.core.job.JobStore;
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
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * POSTs finished jobs' documents to their callback URL, signed in the Standard Webhooks form, and
 * tries again with backoff until a 2xx or {@code jobs.webhookAttempts}; the job document records
 * each attempt. The store says which webhooks are due and holds each for the one gateway delivering
 * it, so one gateway at a time delivers a webhook; one that stopped mid-delivery leaves it due again
 * when the hold ends. Every attempt of one job carries the same {@code webhook-id} (the job's id),
 * so a receiver can drop duplicates.
 */
final class WebhookSender {

    private static final Logger log = LoggerFactory.getLogger(WebhookSender.class);
    private static final Duration ATTEMPT_TIMEOUT = Duration.ofSeconds(10);
    /** How long a webhook is held by the gateway delivering it: the attempt's time, and some. */
    private static final Duration HOLD = ATTEMPT_TIMEOUT.plusSeconds(5);
    private static final int AT_ONCE = 16;

    private final JobStore store;
    private final WebhookSigner signer;
    private final WebhookBackoff backoff;
    private final int maxAttempts;
    private final JobMeters meters;
    private final AtomicBoolean asking = new AtomicBoolean();
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(ATTEMPT_TIMEOUT).followRedirects(HttpClient.Redirect.NEVER).build();

    WebhookSender(JobStore store, WebhookSigner signer, WebhookBackoff backoff, int maxAttempts, JobMeters meters) {
        this.store = store;
        this.meters = meters;
        this.signer = signer;
        this.backoff = backoff;
        this.maxAttempts = maxAttempts;
    }

    /** Delivers the webhooks due now; one question to the store at a time. */
    void tick() {
        if (!asking.compareAndSet(false, true)) {
            return;
        }
        store.dueWebhooks(HOLD, AT_ONCE).whenComplete((due, failure) -> {
            asking.set(false);
            if (due != null) {
                due.forEach(this::attempt);
            }
        });
    }

    private void attempt(Job job) {
        String id = job.id();
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
                // Not written (the store unreachable): delivered again after the hold, with the same webhook-id.
                store.update(id, Job::webhookDelivered);
                return;
            }
            String why = response != null ? "answered " + response.statusCode() : String.valueOf(failure);
            store.update(id, j -> j.webhookFailed(why, maxAttempts)).thenAccept(after -> after.ifPresent(j -> {
                if (j.webhookDue()) {
                    store.webhookDueIn(id, backoff.delay(j.webhook().attempts()));
                } else {
                    log.info("webhook of job {} given up after {} attempts: {}", id, j.webhook().attempts(), why);
                }
            }));
        });
    }
}
