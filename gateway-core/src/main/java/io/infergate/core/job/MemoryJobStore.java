package io.infergate.core.job;

import io.infergate.core.Ticker;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The embedded {@link JobStore}: jobs in this process's memory, lost when it stops.
 * <p>
 * Jobs are held in three places. Queued and running jobs are never dropped: a job that was
 * accepted runs. Finished jobs are kept in the order they finished, with their results, for
 * {@code resultTtl}; then their result and error are dropped and they answer {@code expired} for as
 * long again (so a client that comes late learns what happened rather than getting a 404), and then
 * they are gone. Every bound drops the oldest first:
 * <ul>
 * <li>past {@code maxBytes} of result bodies, the oldest results expire early;</li>
 * <li>past {@code maxJobs} jobs in all, a new job takes the place of the oldest expired one, or else
 * of the oldest finished one; when every place holds a queued or running job, it is refused.</li>
 * </ul>
 * The oldest result is the one most likely collected already. This is why the finished jobs are not
 * in a Caffeine cache, though one would bound them by count and weight: its W-TinyLFU policy keeps
 * the entries read most often and turns newcomers away, which here would drop a fresh result no one
 * has fetched yet in favour of one fetched many times. With a single time to live, finish order is
 * also expiry order, so expiry is exact: every call first lets go of what is due on the ticker.
 * <p>
 * Every answer is ready when the call returns (a completed stage). Leases run on the ticker too; in
 * one process a lease lapses only when its runner stopped renewing it.
 * <p>
 * Thread-safe: one lock, held briefly. Waits are completed after it is released, so a callback may
 * call back in.
 */
public final class MemoryJobStore implements JobStore {

    /** A job and what the store knows of it: its order of submission, and since when it is where it is. */
    private record Held(Job job, long sequence, long since) {}

    private record Waiter(CompletableFuture<Optional<Job>> future, long deadline) {}

    private record Due(Waiter waiter, Job job) {}

    private static final Comparator<Held> NEWEST_FIRST = Comparator.comparingLong(Held::sequence).reversed();
    private static final int PAGE_TOKEN_RADIX = 36;

    private final StoreLimits limits;
    private final long ttlNanos;
    private final Ticker ticker;

    private final Object lock = new Object();
    private final Map<String, Held> active = new HashMap<>();
    /** Ended jobs with their results, in the order they ended; since: when they ended. */
    private final LinkedHashMap<String, Held> results = new LinkedHashMap<>();
    /** Expired jobs, in the order they expired; since: when they expired. */
    private final LinkedHashMap<String, Held> expired = new LinkedHashMap<>();
    private final Map<String, Integer> queuedByTenant = new HashMap<>();
    private final Map<String, List<Waiter>> waiters = new HashMap<>();
    private final MemoryJobQueue queue = new MemoryJobQueue();
    private long resultBytes;
    private long nextSequence;

    public MemoryJobStore(StoreLimits limits, Ticker ticker) {
        this.limits = Objects.requireNonNull(limits, "limits");
        this.ticker = Objects.requireNonNull(ticker, "ticker");
        this.ttlNanos = saturatedNanos(limits.resultTtl());
    }

    @Override
    public CompletionStage<SubmitOutcome> submit(Job job, JobRequest request) {
        return CompletableFuture.completedFuture(submitNow(job, request));
    }

    private SubmitOutcome submitNow(Job job, JobRequest request) {
        if (job.status() != JobStatus.QUEUED) {
            throw new IllegalArgumentException("only a queued job can be submitted, not a " + job.status().wireName()
                    + " one");
        }
        synchronized (lock) {
            long now = ticker.nanoTime();
            sweep(now);
            if (find(job.id()) != null) {
                return SubmitOutcome.DUPLICATE_ID;
            }
            if (queuedByTenant.getOrDefault(job.tenant(), 0) >= limits.maxQueuedPerTenant()) {
                return SubmitOutcome.TENANT_QUEUE_FULL;
            }
            if (active.size() >= limits.maxJobs()) {
                return SubmitOutcome.STORE_FULL;
            }
            while (size() >= limits.maxJobs()) {
                dropOldestFinished();
            }
            active.put(job.id(), new Held(job, nextSequence++, now));
            queuedByTenant.merge(job.tenant(), 1, Integer::sum);
            queue.add(job, request);
            return SubmitOutcome.ACCEPTED;
        }
    }

    @Override
    public CompletionStage<Optional<Job>> get(String tenant, String id) {
        synchronized (lock) {
            sweep(ticker.nanoTime());
            return CompletableFuture.completedFuture(Optional.ofNullable(owned(tenant, id)).map(Held::job));
        }
    }

    @Override
    public CompletionStage<JobPage> list(String tenant, Optional<JobStatus> status, String pageToken, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: at least 1)");
        }
        long after = pageToken == null ? Long.MAX_VALUE : parsePageToken(pageToken);
        List<Held> matching = new ArrayList<>();
        synchronized (lock) {
            sweep(ticker.nanoTime());
            for (Map<String, Held> place : List.of(active, results, expired)) {
                for (Held held : place.values()) {
                    Job job = held.job();
                    if (held.sequence() < after && job.tenant().equals(tenant)
                            && status.map(s -> s == job.status()).orElse(true)) {
                        matching.add(held);
                    }
                }
            }
        }
        matching.sort(NEWEST_FIRST);
        List<Job> page = new ArrayList<>(Math.min(limit, matching.size()));
        for (int i = 0; i < limit && i < matching.size(); i++) {
            page.add(matching.get(i).job());
        }
        Optional<String> next = matching.size() <= limit ? Optional.empty()
                : Optional.of(Long.toString(matching.get(limit - 1).sequence(), PAGE_TOKEN_RADIX));
        return CompletableFuture.completedFuture(new JobPage(page, next));
    }

    /** The transition runs under the store's lock: it must be quick and must not call the store. */
    @Override
    public CompletionStage<Optional<Job>> update(String id, Function<Job, Optional<Job>> transition) {
        return CompletableFuture.completedFuture(updateNow(id, transition));
    }

    private Optional<Job> updateNow(String id, Function<Job, Optional<Job>> transition) {
        Job stored;
        List<Waiter> finished = List.of();
        synchronized (lock) {
            long now = ticker.nanoTime();
            sweep(now);
            Held held = find(id);
            if (held == null) {
                return Optional.empty();
            }
            Job before = held.job();
            Job after = transition.apply(before).orElse(null);
            if (after == null || !before.mayBecome(after)) {
                return Optional.empty();
            }
            place(held, after, now);
            stored = find(id).job(); // a result over the byte bound has expired at once
            queue.changed(stored, now);
            if (!before.status().isFinished() && after.status().isFinished()) {
                finished = Objects.requireNonNullElse(waiters.remove(id), List.of());
            }
        }
        for (Waiter waiter : finished) {
            waiter.future().complete(Optional.of(stored));
        }
        return Optional.of(stored);
    }

    @Override
    public CompletionStage<Optional<Job>> await(String tenant, String id, Duration wait) {
        synchronized (lock) {
            long now = ticker.nanoTime();
            sweep(now);
            Held held = owned(tenant, id);
            if (held == null || held.job().status().isFinished() || wait.isNegative() || wait.isZero()) {
                return CompletableFuture.completedFuture(Optional.ofNullable(held).map(Held::job));
            }
            CompletableFuture<Optional<Job>> future = new CompletableFuture<>();
            long deadline = now + Math.min(saturatedNanos(wait), Long.MAX_VALUE / 2);
            waiters.computeIfAbsent(id, key -> new ArrayList<>()).add(new Waiter(future, deadline));
            return future;
        }
    }

    @Override
    public CompletionStage<List<Claim>> claim(String owner, Map<String, Integer> slots, Duration lease) {
        List<Claim> claims = new ArrayList<>();
        synchronized (lock) {
            long now = ticker.nanoTime();
            sweep(now);
            slots.forEach((route, free) -> {
                String id;
                for (int taken = 0; taken < free && (id = queue.poll(route)) != null; taken++) {
                    Job job = active.get(id).job(); // an ended job has left its queue
                    queue.lease(job, owner, now + saturatedNanos(lease));
                    claims.add(new Claim(job, queue.request(id)));
                }
            });
        }
        return CompletableFuture.completedFuture(claims);
    }

    @Override
    public CompletionStage<Boolean> renew(String id, String owner, Duration lease) {
        synchronized (lock) {
            return CompletableFuture.completedFuture(queue.renew(id, owner, ticker.nanoTime() + saturatedNanos(lease)));
        }
    }

    @Override
    public CompletionStage<List<Job>> dueWebhooks(Duration hold, int max) {
        synchronized (lock) {
            long now = ticker.nanoTime();
            sweep(now);
            return CompletableFuture.completedFuture(queue.dueWebhooks(now, now + saturatedNanos(hold), max).stream()
                    .map(id -> find(id).job()).toList());
        }
    }

    @Override
    public CompletionStage<Void> webhookDueIn(String id, Duration delay) {
        synchronized (lock) {
            queue.webhookDueAt(id, ticker.nanoTime() + saturatedNanos(delay));
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public CompletionStage<Map<JobStatus, Long>> countByStatus() {
        Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
        for (JobStatus status : JobStatus.values()) {
            counts.put(status, 0L);
        }
        synchronized (lock) {
            sweep(ticker.nanoTime());
            for (Map<String, Held> place : List.of(active, results, expired)) {
                for (Held held : place.values()) {
                    counts.merge(held.job().status(), 1L, Long::sum);
                }
            }
        }
        return CompletableFuture.completedFuture(Collections.unmodifiableMap(counts));
    }

    @Override
    public CompletionStage<Integer> onTick() {
        List<Due> due = new ArrayList<>();
        int lapsed;
        synchronized (lock) {
            long now = ticker.nanoTime();
            sweep(now);
            lapsed = queue.takeOverLapsed(now);
            Iterator<Map.Entry<String, List<Waiter>>> entries = waiters.entrySet().iterator();
            while (entries.hasNext()) {
                Map.Entry<String, List<Waiter>> entry = entries.next();
                Job job = find(entry.getKey()).job(); // waits are only on active jobs, which stay
                entry.getValue().removeIf(waiter -> {
                    if (waiter.future().isDone()) {
                        return true;
                    }
                    if (now - waiter.deadline() >= 0) {
                        due.add(new Due(waiter, job));
                        return true;
                    }
                    return false;
                });
                if (entry.getValue().isEmpty()) {
                    entries.remove();
                }
            }
        }
        for (Due d : due) {
            d.waiter().future().complete(Optional.of(d.job()));
        }
        return CompletableFuture.completedFuture(lapsed);
    }

    /** How many of the tenant's jobs are waiting to run. */
    public int queuedCount(String tenant) {
        synchronized (lock) {
            return queuedByTenant.getOrDefault(tenant, 0);
        }
    }

    /** Bytes of result bodies held now. */
    public long resultBytes() {
        synchronized (lock) {
            sweep(ticker.nanoTime());
            return resultBytes;
        }
    }

    /** Results past their time expire; expired documents past theirs go. */
    private void sweep(long now) {
        Iterator<Held> due = results.values().iterator();
        while (due.hasNext()) {
            Held held = due.next();
            if (now - held.since() < ttlNanos) {
                break;
            }
            due.remove();
            resultBytes -= bodyBytes(held.job());
            expired.put(held.job().id(), new Held(held.job().expire().orElseThrow(), held.sequence(),
                    held.since() + ttlNanos));
        }
        Iterator<Held> gone = expired.values().iterator();
        while (gone.hasNext()) {
            Held held = gone.next();
            if (now - held.since() < ttlNanos) {
                break;
            }
            gone.remove();
            queue.forget(held.job().id());
        }
    }

    /** Puts {@code after} where its status belongs; a job that stays in place keeps its place in line. */
    private void place(Held held, Job after, long now) {
        Job before = held.job();
        Map<String, Held> from = placeOf(before.status());
        Map<String, Held> to = placeOf(after.status());
        resultBytes += bodyBytes(after) - bodyBytes(before);
        if (before.status() == JobStatus.QUEUED && after.status() != JobStatus.QUEUED) {
            queuedByTenant.computeIfPresent(before.tenant(), (tenant, n) -> n == 1 ? null : n - 1);
        }
        if (from == to) {
            to.put(after.id(), new Held(after, held.sequence(), held.since()));
        } else {
            from.remove(before.id());
            to.put(after.id(), new Held(after, held.sequence(), now));
        }
        while (resultBytes > limits.maxBytes()) {
            expireOldestResult(now);
        }
    }

    private Map<String, Held> placeOf(JobStatus status) {
        return switch (status) {
            case QUEUED, RUNNING -> active;
            case SUCCEEDED, FAILED, CANCELLED -> results;
            case EXPIRED -> expired;
        };
    }

    private void expireOldestResult(long now) {
        Iterator<Held> oldest = results.values().iterator();
        Held held = oldest.next();
        oldest.remove();
        resultBytes -= bodyBytes(held.job());
        expired.put(held.job().id(), new Held(held.job().expire().orElseThrow(), held.sequence(), now));
    }

    /** Makes room for one more job: the oldest expired one goes, or else the oldest finished one. */
    private void dropOldestFinished() {
        Iterator<Held> oldest = (expired.isEmpty() ? results : expired).values().iterator();
        Held held = oldest.next();
        oldest.remove();
        resultBytes -= bodyBytes(held.job());
        queue.forget(held.job().id());
    }

    private int size() {
        return active.size() + results.size() + expired.size();
    }

    private Held find(String id) {
        Held held = active.get(id);
        if (held == null) {
            held = results.get(id);
        }
        return held != null ? held : expired.get(id);
    }

    private Held owned(String tenant, String id) {
        Held held = find(id);
        return held != null && held.job().tenant().equals(tenant) ? held : null;
    }

    private static long bodyBytes(Job job) {
        return job.result() == null ? 0 : job.result().bodyLength();
    }

    private static long parsePageToken(String token) {
        try {
            long sequence = Long.parseLong(token, PAGE_TOKEN_RADIX);
            if (sequence >= 0 && !token.startsWith("+")) {
                return sequence;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw new IllegalArgumentException("not a page token");
    }

    private static long saturatedNanos(Duration duration) {
        try {
            return duration.toNanos();
        } catch (ArithmeticException e) {
            return Long.MAX_VALUE;
        }
    }
}
