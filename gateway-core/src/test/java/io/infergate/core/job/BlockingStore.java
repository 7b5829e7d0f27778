package io.infergate.core.job;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.function.Function;

/** A {@link MemoryJobStore}'s calls with their answers in hand: the memory store answers before it returns. */
record BlockingStore(MemoryJobStore store) {

    static final JobRequest REQUEST = new JobRequest("POST", "/llama/generate",
            List.of(Map.entry("Content-Type", "application/json")), "{\"inputs\":\"hi\"}".getBytes());

    SubmitOutcome submit(Job job) {
        return now(store.submit(job, REQUEST).toCompletableFuture());
    }

    Optional<Job> get(String tenant, String id) {
        return now(store.get(tenant, id).toCompletableFuture());
    }

    JobPage list(String tenant, Optional<JobStatus> status, String pageToken, int limit) {
        return now(store.list(tenant, status, pageToken, limit).toCompletableFuture());
    }

    Optional<Job> update(String id, Function<Job, Optional<Job>> transition) {
        return now(store.update(id, transition).toCompletableFuture());
    }

    /** A long poll: it may well not be done yet. */
    CompletableFuture<Optional<Job>> await(String tenant, String id, Duration wait) {
        return store.await(tenant, id, wait).toCompletableFuture();
    }

    List<Claim> claim(String owner, Map<String, Integer> slots, Duration lease) {
        return now(store.claim(owner, slots, lease).toCompletableFuture());
    }

    boolean renew(String id, String owner, Duration lease) {
        return now(store.renew(id, owner, lease).toCompletableFuture());
    }

    List<Job> dueWebhooks(Duration hold, int max) {
        return now(store.dueWebhooks(hold, max).toCompletableFuture());
    }

    void webhookDueIn(String id, Duration delay) {
        now(store.webhookDueIn(id, delay).toCompletableFuture());
    }

    Map<JobStatus, Long> countByStatus() {
        return now(store.countByStatus().toCompletableFuture());
    }

    int onTick() {
        return now(store.onTick().toCompletableFuture());
    }

    int queuedCount(String tenant) {
        return store.queuedCount(tenant);
    }

    long resultBytes() {
        return store.resultBytes();
    }

    private static <T> T now(CompletableFuture<T> answer) {
        if (!answer.isDone()) {
            throw new AssertionError("the memory store answers before it returns");
        }
        return answer.join();
    }
}
