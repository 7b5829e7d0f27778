package io.infergate.server.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobError;
import io.infergate.core.job.JobRequest;
import io.infergate.core.job.JobResult;
import io.infergate.core.job.Moment;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;

/**
 * A job's request, sent by the gateway to itself, so that a job passes the same admission, retries,
 * fallbacks and cold-start holds as any request, with no client connection to time out; and what
 * its answer makes of the job.
 */
final class JobCall {

    private static final ObjectMapper JSON = new ObjectMapper();
    /** Response headers worth keeping in a job's result. */
    private static final Set<String> KEPT_HEADERS = Set.of("content-type", "x-generated-tokens", "x-prompt-tokens",
            "x-gateway-upstream", "x-gateway-fallback", "x-request-id", "x-gateway-error");
    /** Headers the JDK client sets itself, and may not be given. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "host", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection");

    private final URI gateway;
    private final JobPass pass;
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();

    JobCall(int gatewayPort, JobPass pass) {
        this.gateway = URI.create("http://127.0.0.1:" + gatewayPort);
        this.pass = pass;
    }

    CompletableFuture<HttpResponse<byte[]>> send(Job job, JobRequest request) {
        HttpRequest.Builder builder = HttpRequest.newBuilder(gateway.resolve(request.target()))
                .method(request.method(), request.body().length == 0 && !hasBody(request.method())
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(request.body()))
                .header(JobPass.HEADER, pass.headerValue(job.id(), job.tenant()));
        for (Map.Entry<String, String> header : request.headers()) {
            if (!RESTRICTED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                builder.header(header.getKey(), header.getValue());
            }
        }
        return http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
    }

    /** The gateway's own error answers a job failed; an upstream's answer, whatever its status, succeeded. */
    Optional<Job> record(Job job, HttpResponse<byte[]> answer, Moment now) {
        // Its attempts were told as they started; an answer that says who served it, with none told, is one.
        Optional<String> served = answer.headers().firstValue("x-gateway-upstream").filter(s -> job.attempts() == 0);
        Job attempted = served.map(s -> job.attempt(s.substring(0, Math.max(0, s.indexOf('/')))).orElse(job)).orElse(job);
        Optional<String> gatewayError = answer.headers().firstValue("x-gateway-error");
        if (gatewayError.isPresent()) {
            return attempted.fail(now, new JobError(gatewayError.get(), errorMessage(answer)));
        }
        Map<String, String> kept = new HashMap<>();
        answer.headers().map().forEach((name, values) -> {
            if (KEPT_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && !values.isEmpty()) {
                kept.put(name, values.get(0));
            }
        });
        String contentType = answer.headers().firstValue("content-type").orElse(null);
        return attempted.succeed(now, new JobResult(answer.statusCode(), kept, contentType, answer.body()));
    }

    /** The message of the gateway's own error body, in either dialect: TGI's {@code error}, OpenAI's {@code error.message}. */
    private static String errorMessage(HttpResponse<byte[]> answer) {
        try {
            JsonNode error = JSON.readTree(answer.body()).path("error");
            String message = error.isTextual() ? error.asText() : error.path("message").asText("");
            return message.isEmpty() ? "the gateway answered " + answer.statusCode() : message;
        } catch (java.io.IOException | RuntimeException notJson) {
            return "the gateway answered " + answer.statusCode();
        }
    }

    private static boolean hasBody(String method) {
        return method.equals("POST") || method.equals("PUT") || method.equals("PATCH");
    }
}
