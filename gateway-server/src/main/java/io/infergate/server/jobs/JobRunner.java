package io.infergate.server.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.core.error.GatewayError;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobClock;
import io.infergate.core.job.JobError;
import io.infergate.core.job.JobResult;
import io.infergate.core.job.JobStore;
import io.infergate.core.route.Route;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * Runs jobs by sending each one's request to the gateway itself, so a job passes the same admission,
 * retries, fallbacks and cold-start holds as any request, with no client connection to time out. At
 * most {@code jobs.maxShare} of a route's slots run jobs at once, so interactive traffic keeps its
 * headroom; the rest wait here, in submission order. Thread-safe.
 */
final class JobRunner {

    private static final Logger log = LoggerFactory.getLogger(JobRunner.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Response headers worth keeping in a job's result. */
    private static final Set<String> KEPT_HEADERS = Set.of("content-type", "x-generated-tokens", "x-prompt-tokens",
            "x-gateway-upstream", "x-gateway-fallback", "x-request-id", "x-gateway-error");
    /** Headers the JDK client sets itself, and may not be given. */
    private static final Set<String> RESTRICTED = Set.of("connection", "content-length", "host", "expect", "upgrade",
            "transfer-encoding", "keep-alive", "te", "trailer", "proxy-connection");

    private final JobStore store;
    private final JobClock clock;
    private final JobPass pass;
    private final URI gateway;
    private final double maxShare;
    private final HttpClient http;
    private final Consumer<Job> finished;
    private final Map<String, RouteLane> lanes = new HashMap<>();
    /** The requests of running jobs, by job id, to be closed when a job is cancelled. */
    private final Map<String, CompletableFuture<HttpResponse<byte[]>>> running = new HashMap<>();

    private record Pending(Job job, JobRequest request, Route route) {}

    /** One route's jobs: those waiting, and how many run. */
    private static final class RouteLane {
        final ArrayDeque<Pending> waiting = new ArrayDeque<>();
        int running;
    }

    /** @param finished told of every job that ends, for its webhook and meters */
    JobRunner(JobStore store, JobClock clock, JobPass pass, int gatewayPort, double maxShare, Consumer<Job> finished) {
        this.store = store;
        this.clock = clock;
        this.pass = pass;
        this.gateway = URI.create("http://127.0.0.1:" + gatewayPort);
        this.maxShare = maxShare;
        this.finished = finished;
        this.http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    }

    /** A stored, queued job: it runs when its route has a job slot free. */
    synchronized void enqueue(Job job, JobRequest request, Route route) {
        lanes.computeIfAbsent(route.name(), r -> new RouteLane()).waiting.add(new Pending(job, request, route));
        runWhatFits(route);
    }

    /**
     * Cancels a job of {@code tenant}: a queued one leaves its lane, a running one has its request
     * closed (the gateway then closes the upstream's). Empty when there is no such job to cancel.
     */
    Optional<Job> cancel(String tenant, String id) {
        Optional<Job> job = store.get(tenant, id);
        if (job.isEmpty()) {
            return Optional.empty();
        }
        Optional<Job> cancelled = store.update(id, j -> j.cancel(clock.now()));
        if (cancelled.isEmpty()) {
            return job; // already finished: nothing to cancel, the document says so
        }
        CompletableFuture<HttpResponse<byte[]>> run;
        synchronized (this) {
            RouteLane lane = lanes.get(cancelled.get().route());
            if (lane != null) {
                lane.waiting.removeIf(p -> p.job().id().equals(id));
            }
            run = running.get(id);
        }
        if (run != null) {
            run.cancel(true);
        }
        finished.accept(cancelled.get());
        return cancelled;
    }

    private synchronized void runWhatFits(Route route) {
        RouteLane lane = lanes.get(route.name());
        int slots = Math.max(1, (int) Math.floor(maxShare * route.loadView().capacity()));
        while (lane.running < slots && !lane.waiting.isEmpty()) {
            Pending next = lane.waiting.poll();
            if (store.update(next.job().id(), j -> j.start(clock.now())).isPresent()) {
                lane.running++;
                start(next);
            }
        }
    }

    private void start(Pending pending) {
        Job job = pending.job();
        JobRequest request = pending.request();
        HttpRequest.Builder builder = HttpRequest.newBuilder(gateway.resolve(request.target()))
                .method(request.method(), request.body().length == 0 && !hasBody(request.method())
                        ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(request.body()))
                .header(JobPass.HEADER, pass.headerValue(job.id(), job.tenant()));
        for (Map.Entry<String, String> header : request.headers()) {
            if (!RESTRICTED.contains(header.getKey().toLowerCase(Locale.ROOT))) {
                builder.header(header.getKey(), header.getValue());
            }
        }
        CompletableFuture<HttpResponse<byte[]>> response = http.sendAsync(builder.build(), HttpResponse.BodyHandlers.ofByteArray());
        synchronized (this) {
            running.put(job.id(), response);
        }
        response.whenComplete((answer, failure) -> ended(job, pending.route(), answer, failure));
    }

    private void ended(Job job, Route route, HttpResponse<byte[]> answer, Throwable failure) {
        synchronized (this) {
            running.remove(job.id());
            lanes.get(route.name()).running--;
        }
        Optional<Job> after;
        if (answer == null) {
            // Cancelled by its owner (already recorded), or the gateway could not be reached.
            after = store.update(job.id(), j -> j.fail(clock.now(), JobError.of(GatewayError.UPSTREAM_RESET,
                    "the job's request ended without an answer: " + failure)));
        } else {
            after = store.update(job.id(), j -> record(j, answer));
        }
        after.ifPresent(finished);
        runWhatFits(route);
    }

    /** The gateway's own error answers a job failed; an upstream's answer, whatever its status, succeeded. */
    private Optional<Job> record(Job job, HttpResponse<byte[]> answer) {
        // Its attempts were told as they started; an answer that says who served it, with none told, is one.
        Optional<String> served = answer.headers().firstValue("x-gateway-upstream").filter(s -> job.attempts() == 0);
        Job attempted = served.map(s -> job.attempt(s.substring(0, Math.max(0, s.indexOf('/')))).orElse(job)).orElse(job);
        Optional<String> gatewayError = answer.headers().firstValue("x-gateway-error");
        if (gatewayError.isPresent()) {
            return attempted.fail(clock.now(), new JobError(gatewayError.get(), errorMessage(answer)));
        }
        Map<String, String> kept = new HashMap<>();
        answer.headers().map().forEach((name, values) -> {
            if (KEPT_HEADERS.contains(name.toLowerCase(Locale.ROOT)) && !values.isEmpty()) {
                kept.put(name, values.get(0));
            }
        });
        String contentType = answer.headers().firstValue("content-type").orElse(null);
        return attempted.succeed(clock.now(), new JobResult(answer.statusCode(), kept, contentType, answer.body()));
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

    /** Waiting jobs of every route, for a gauge. */
    synchronized int waiting() {
        return lanes.values().stream().mapToInt(l -> l.waiting.size()).sum();
    }

    void close() {
        List<CompletableFuture<HttpResponse<byte[]>>> stopping;
        synchronized (this) {
            stopping = List.copyOf(running.values());
        }
        // Cancelling completes a request at once, which takes it out of the running map.
        stopping.forEach(r -> r.cancel(true));
        log.debug("job runner closed");
    }
}
