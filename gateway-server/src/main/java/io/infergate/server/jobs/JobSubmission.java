package io.infergate.server.jobs;

import io.infergate.server.wire.GatewayHeaders;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobDocument;
import io.infergate.core.job.JobRequest;
import io.infergate.core.route.Route;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletionStage;

/**
 * The wire side of submitting a job: {@code Prefer: respond-async} (RFC 7240) asks for it, the
 * answer is {@code 202 Accepted} with {@code Preference-Applied}, {@code Location} and the job's
 * document, and the request keeps only the headers its run needs.
 */
public final class JobSubmission {

    static final String PREFER = "prefer";
    static final String CALLBACK_URL = "x-callback-url";
    private static final String RESPOND_ASYNC = "respond-async";
    /** Headers the job's run does not take: the submission's own, and what the gateway adds again. */
    private static final Set<String> NOT_KEPT = Set.of(PREFER, CALLBACK_URL, "x-forwarded-for", "x-forwarded-proto",
            "x-forwarded-host", "x-request-timeout", "authorization", "x-api-key", "host", "content-length",
            "transfer-encoding", "connection", "expect");

    private JobSubmission() {}

    /** Whether the client prefers an asynchronous answer; preferences are a comma-separated list, in any case. */
    public static boolean asked(HttpHeaders headers) {
        for (String prefer : headers.getAll(PREFER)) {
            for (String preference : prefer.split(",")) {
                String token = preference.split(";", 2)[0].trim();
                if (token.equalsIgnoreCase(RESPOND_ASYNC)) {
                    return true;
                }
            }
        }
        return false;
    }

    static List<Map.Entry<String, String>> headersToKeep(HttpHeaders headers) {
        List<Map.Entry<String, String>> kept = new ArrayList<>();
        for (Map.Entry<String, String> header : headers) {
            if (!NOT_KEPT.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                kept.add(Map.entry(header.getKey(), header.getValue()));
            }
        }
        return kept;
    }

    /** Stores the request as a job of {@code tenant}, with only the headers its run needs; answers later. */
    public static CompletionStage<Jobs.Submission> submit(Jobs jobs, String tenant, Route route, HttpRequest request,
                                                         byte[] body) {
        return jobs.submit(tenant, route, new JobRequest(request.method().name(), request.uri(),
                headersToKeep(request.headers()), body), request.headers().get(CALLBACK_URL));
    }

    public static FullHttpResponse accepted(ByteBufAllocator alloc, Job job, String requestId) {
        FullHttpResponse response = JobsEndpoint.json(alloc, HttpResponseStatus.ACCEPTED, JobDocument.toJson(job));
        response.headers()
                .set("Preference-Applied", RESPOND_ASYNC)
                .set("Location", JobsEndpoint.PREFIX + "/" + job.id())
                .set(GatewayHeaders.X_REQUEST_ID, requestId);
        return response;
    }
}
