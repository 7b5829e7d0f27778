package io.infergate.server.store;

import io.infergate.core.job.Job;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;
import java.util.function.Consumer;

/**
 * The long polls on a shared store, answered by a bounded poll: every quarter second, each job
 * someone here waits for is read once (one round trip per job, however many wait for it), and its
 * waits end when it has finished, whichever gateway ran it, or when their time is up. A job that
 * finishes here ends its waits at once. A poll rather than pub/sub or keyspace notifications: it
 * needs no second connection nor server configuration, and a message lost to a reconnect cannot
 * leave a wait hanging.
 */
final class JobWaits {

    static final long POLL_EVERY_MILLIS = 250;

    private record Waiter(CompletableFuture<Optional<Job>> future, long deadline) {}

    private final BiFunction<String, String, CompletionStage<Optional<Job>>> get;
    /** Job id to its tenant and waiters; guarded by itself. */
    private final Map<String, Map.Entry<String, List<Waiter>>> byId = new HashMap<>();
    private long lastPoll;

    /** @param get reads a tenant's job */
    JobWaits(BiFunction<String, String, CompletionStage<Optional<Job>>> get) {
        this.get = get;
    }

    CompletableFuture<Optional<Job>> add(String tenant, String id, long deadlineMillis) {
        CompletableFuture<Optional<Job>> future = new CompletableFuture<>();
        synchronized (byId) {
            byId.computeIfAbsent(id, key -> Map.entry(tenant, new ArrayList<>())).getValue()
                    .add(new Waiter(future, deadlineMillis));
        }
        return future;
    }

    /** A job changed here: if it finished, its waits end now. */
    void changed(Job job) {
        if (job.status().isFinished()) {
            end(job.id(), Long.MAX_VALUE, true, w -> w.future().complete(Optional.of(job)));
        }
    }

    /** Reads each waited-for job, at most every {@link #POLL_EVERY_MILLIS}. */
    void poll(long nowMillis) {
        List<Map.Entry<String, String>> waited = new ArrayList<>();
        synchronized (byId) {
            if (nowMillis - lastPoll < POLL_EVERY_MILLIS) {
                return;
            }
            lastPoll = nowMillis;
            byId.forEach((id, waiters) -> waited.add(Map.entry(id, waiters.getKey())));
        }
        for (Map.Entry<String, String> job : waited) {
            get.apply(job.getValue(), job.getKey()).whenComplete((read, failure) -> {
                if (read != null) {
                    boolean over = read.isEmpty() || read.get().status().isFinished();
                    end(job.getKey(), nowMillis, over, w -> w.future().complete(read));
                } else {
                    // The store cannot say: waits whose time is up end with the failure, the rest wait on.
                    end(job.getKey(), nowMillis, false, w -> w.future().completeExceptionally(failure));
                }
            });
        }
    }

    /** Ends the job's waits whose time is up by {@code nowMillis}, or all of them. */
    private void end(String id, long nowMillis, boolean all, Consumer<Waiter> how) {
        List<Waiter> ending = new ArrayList<>();
        synchronized (byId) {
            Map.Entry<String, List<Waiter>> waiters = byId.get(id);
            if (waiters == null) {
                return;
            }
            waiters.getValue().removeIf(w -> {
                boolean ends = all || w.future().isDone() || nowMillis - w.deadline() >= 0;
                if (ends) {
                    ending.add(w);
                }
                return ends;
            });
            if (waiters.getValue().isEmpty()) {
                byId.remove(id);
            }
        }
        ending.forEach(how);
    }
}
