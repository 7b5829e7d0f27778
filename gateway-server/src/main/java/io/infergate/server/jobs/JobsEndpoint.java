package io.infergate.server.jobs;

import io.infergate.server.relay.LocalResponses;
import io.infergate.core.config.DurationSyntax;
import io.infergate.core.error.GatewayError;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobDocument;
import io.infergate.core.job.JobPage;
import io.infergate.core.job.JobResult;
import io.infergate.core.job.JobStatus;
import io.infergate.core.tenant.CredentialHeaders;
import io.infergate.core.tenant.Identification;
import io.infergate.core.tenant.TenantDirectory;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.Unpooled;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;
import io.netty.util.concurrent.EventExecutor;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;

/**
 * {@code /v1/jobs} on the gateway's port: a job's document ({@code ?wait=30s} long-polls until it
 * ends), its result as the upstream answered it, its cancellation, and a tenant's list; each
 * answered when the store has, {@code 503 store_unavailable} when it cannot be reached. A job
 * belongs to its tenant: another tenant's id is not found (404, so an id reveals nothing).
 */
public final class JobsEndpoint {

    static final String PREFIX = "/v1/jobs";
    private static final int DEFAULT_PAGE = 20;
    private static final int MAX_PAGE = 100;

    private final Jobs jobs;
    private final Supplier<TenantDirectory> tenants;

    /** @param tenants the tenants being served now: a reload may change their keys */
    public JobsEndpoint(Jobs jobs, Supplier<TenantDirectory> tenants) {
        this.jobs = jobs;
        this.tenants = tenants;
    }

    public static boolean handles(String path) {
        return path.equals(PREFIX) || path.startsWith(PREFIX + "/");
    }

    /** Answers {@code request} once the store has: on {@code executor}, the client's loop, to {@code reply}. */
    public void handle(HttpRequest request, String requestId, ByteBufAllocator alloc, EventExecutor executor,
                Consumer<FullHttpResponse> reply) {
        Identification who = tenants.get().identify(request.headers().get(CredentialHeaders.AUTHORIZATION),
                request.headers().get(CredentialHeaders.X_API_KEY));
        if (who.refused()) {
            reply.accept(LocalResponses.error(alloc, StreamProtocol.OPENAI, GatewayError.UNAUTHORIZED, "an API key is required", requestId));
            return;
        }
        String tenant = who.tenant().name();
        QueryStringDecoder uri = new QueryStringDecoder(request.uri());
        String[] parts = uri.path().substring(PREFIX.length()).split("/", -1);
        HttpMethod method = request.method();
        Later later = new Later(executor, reply, alloc, requestId);
        try {
            if (parts.length == 1 && parts[0].isEmpty() && method.equals(HttpMethod.GET)) {
                later.answer(list(jobs, tenant, uri.parameters()), page -> json(alloc, HttpResponseStatus.OK, page));
            } else if (parts.length == 2 && method.equals(HttpMethod.GET)) {
                Duration wait = waitOf(uri.parameters());
                later.answer(wait.isZero() ? jobs.get(tenant, parts[1]) : jobs.await(tenant, parts[1], wait),
                        job -> job.map(j -> json(alloc, HttpResponseStatus.OK, JobDocument.toJson(j)))
                                .orElseGet(() -> notFound(jobs, tenant, parts[1], alloc, requestId)));
            } else if (parts.length == 2 && method.equals(HttpMethod.DELETE)) {
                later.answer(jobs.cancel(tenant, parts[1]), job -> job
                        .map(j -> json(alloc, HttpResponseStatus.OK, JobDocument.toJson(j)))
                        .orElseGet(() -> notFound(jobs, tenant, parts[1], alloc, requestId)));
            } else if (parts.length == 3 && parts[2].equals("result") && method.equals(HttpMethod.GET)) {
                later.answer(jobs.get(tenant, parts[1]), job -> job.map(j -> result(j, alloc, requestId))
                        .orElseGet(() -> notFound(jobs, tenant, parts[1], alloc, requestId)));
            } else {
                reply.accept(LocalResponses.error(alloc, StreamProtocol.OPENAI, GatewayError.JOB_NOT_FOUND,
                        method + " " + uri.path() + " is not part of the jobs API", requestId));
            }
        } catch (IllegalArgumentException badQuery) {
            reply.accept(LocalResponses.error(alloc, StreamProtocol.OPENAI, GatewayError.BAD_REQUEST, badQuery.getMessage(), requestId));
        }
    }

    /** An answer the store gives later, made into a response on the client's loop; a store that cannot be reached is a 503. */
    private record Later(EventExecutor executor, Consumer<FullHttpResponse> reply, ByteBufAllocator alloc,
                         String requestId) {

        <T> void answer(CompletionStage<T> stage, Function<T, FullHttpResponse> render) {
            stage.whenComplete((value, failure) -> {
                Runnable answer = () -> reply.accept(failure == null ? render.apply(value) : unavailable(failure));
                if (executor.inEventLoop()) {
                    answer.run();
                } else {
                    executor.execute(answer);
                }
            });
        }

        private FullHttpResponse unavailable(Throwable failure) {
            Throwable cause = failure instanceof CompletionException && failure.getCause() != null ? failure.getCause() : failure;
            if (cause instanceof IllegalArgumentException badQuery) {
                return LocalResponses.error(alloc, StreamProtocol.OPENAI, GatewayError.BAD_REQUEST, badQuery.getMessage(), requestId);
            }
            FullHttpResponse response = LocalResponses.error(alloc, StreamProtocol.OPENAI, GatewayError.STORE_UNAVAILABLE,
                    "jobs cannot be read: " + GatewayError.STORE_UNAVAILABLE.defaultMessage(), requestId);
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, 1);
            return response;
        }
    }

    /** The upstream's answer itself: its status, content type and body. */
    private static FullHttpResponse result(Job job, ByteBufAllocator alloc, String requestId) {
        if (job.status() == JobStatus.SUCCEEDED) {
            JobResult result = job.result();
            FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1,
                    HttpResponseStatus.valueOf(result.status()), Unpooled.wrappedBuffer(result.body()));
            if (result.contentType() != null) {
                response.headers().set(HttpHeaderNames.CONTENT_TYPE, result.contentType());
            }
            response.headers().setInt(HttpHeaderNames.CONTENT_LENGTH, result.bodyLength());
            return response;
        }
        if (job.status() == JobStatus.FAILED) {
            return LocalResponses.error(alloc, StreamProtocol.OPENAI, errorOf(job.error().cause()), job.error().message(), requestId);
        }
        GatewayError why = job.status().isFinished() ? GatewayError.JOB_GONE : GatewayError.JOB_NOT_FINISHED;
        return LocalResponses.error(alloc, StreamProtocol.OPENAI, why, "job " + job.id() + " is " + job.status().wireName(), requestId);
    }

    private static GatewayError errorOf(String cause) {
        for (GatewayError error : GatewayError.values()) {
            if (error.cause().equals(cause)) {
                return error;
            }
        }
        return GatewayError.UPSTREAM_RESET;
    }

    private static CompletionStage<String> list(Jobs jobs, String tenant, Map<String, List<String>> query) {
        Optional<JobStatus> status = Optional.empty();
        if (query.containsKey("status")) {
            String wanted = query.get("status").get(0);
            status = Optional.of(JobStatus.parse(wanted)
                    .orElseThrow(() -> new IllegalArgumentException("status: unknown \"" + wanted + "\"")));
        }
        int limit = DEFAULT_PAGE;
        if (query.containsKey("limit")) {
            try {
                limit = Math.min(MAX_PAGE, Integer.parseInt(query.get("limit").get(0)));
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("limit: not a number");
            }
        }
        String token = query.containsKey("pageToken") ? query.get("pageToken").get(0) : null;
        return jobs.list(tenant, status, token, limit).thenApply(JobsEndpoint::pageJson);
    }

    private static String pageJson(JobPage page) {
        StringBuilder json = new StringBuilder("{\"jobs\":[");
        for (int i = 0; i < page.jobs().size(); i++) {
            json.append(i == 0 ? "" : ",").append(JobDocument.toJson(page.jobs().get(i)));
        }
        json.append("],\"nextPageToken\":");
        json.append(page.nextPageToken().map(t -> "\"" + t + "\"").orElse("null")).append('}');
        return json.toString();
    }

    private static Duration waitOf(Map<String, List<String>> query) {
        if (!query.containsKey("wait")) {
            return Duration.ZERO;
        }
        String value = query.get("wait").get(0);
        return DurationSyntax.parse(value.matches("\\d+") ? value + "s" : value);
    }

    static FullHttpResponse json(ByteBufAllocator alloc, HttpResponseStatus status, String json) {
        ByteBuf body = alloc.buffer(json.length());
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, body);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes());
        return response;
    }

    /** No such job here: one this gateway issued to the tenant and lost says so, anything else is not found. */
    private static FullHttpResponse notFound(Jobs jobs, String tenant, String id, ByteBufAllocator alloc, String requestId) {
        GatewayError why = jobs.issued(tenant, id) ? GatewayError.JOB_LOST : GatewayError.JOB_NOT_FOUND;
        return LocalResponses.error(alloc, StreamProtocol.OPENAI, why, why.defaultMessage(), requestId);
    }
}
