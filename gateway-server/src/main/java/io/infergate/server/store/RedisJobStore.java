package io.infergate.server.store;

import io.infergate.core.job.Claim;
import io.infergate.core.job.Job;
import io.infergate.core.job.JobClock;
import io.infergate.core.job.JobPage;
import io.infergate.core.job.JobRequest;
import io.infergate.core.job.JobStatus;
import io.infergate.core.job.JobStore;
import io.infergate.core.job.StoreLimits;
import io.infergate.core.job.SubmitOutcome;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Jobs on the shared Redis: every gateway on it sees the same documents, results, queues and leases.
 * Each step that touches several keys is one Lua script (submit with its bounds, claim with a lease,
 * a versioned write that keeps the queues and counts in step with the status, renew, take over),
 * timed on the store's meters. A change is read, made in Java by the job's own transition, and
 * written back only if the job is still the version read; else read again.
 * <p>
 * Times come from the injected wall clock (leases, results' time to live), so gateways sharing a
 * Redis need clocks within a fraction of a lease of each other, as NTP keeps them. Long polls are
 * answered by a bounded poll ({@link JobWaits}). Not for Redis Cluster: a job's keys are not in one
 * hash slot.
 */
public final class RedisJobStore implements JobStore {

    private static final Script SUBMIT = Script.resource("jobs/submit.lua");
    private static final Script WRITE = Script.resource("jobs/write.lua");
    private static final Script CLAIM = Script.resource("jobs/claim.lua");
    private static final Script RENEW = Script.resource("jobs/renew.lua");
    private static final Script TICK = Script.resource("jobs/tick.lua");
    private static final Script LIST = Script.resource("jobs/list.lua");
    private static final Script COUNTS = Script.resource("jobs/counts.lua");
    private static final Script WEBHOOKS = Script.resource("jobs/webhooks.lua");
    /** Lapsed leases are looked for once a second: leases last seconds. */
    private static final long TAKE_OVER_EVERY_MILLIS = 1000;

    private final RedisStore redis;
    private final StoreLimits limits;
    private final Clock wall;
    private final String prefix;
    private final JobWaits waits;
    private volatile long lastTakeOver = Long.MIN_VALUE / 2;

    /** A job as read, with the version a write must still find. */
    private record Read(Job job, String version) {}

    public RedisJobStore(RedisStore redis, StoreLimits limits, Clock wall) {
        this.redis = redis;
        this.limits = limits;
        this.wall = wall;
        this.prefix = redis.keyPrefix();
        this.waits = new JobWaits(this::get);
    }

    /** The clock for job moments on a shared store: wall time only, which every gateway reads alike. */
    public static JobClock clock(Clock wall) {
        return new JobClock(wall, () -> wall.millis() * 1_000_000L);
    }

    @Override
    public CompletionStage<SubmitOutcome> submit(Job job, JobRequest request) {
        if (job.status() != JobStatus.QUEUED) {
            throw new IllegalArgumentException("only a queued job can be submitted, not a " + job.status().wireName()
                    + " one");
        }
        return redis.script("job_submit", SUBMIT, new String[0], prefix, job.id(), job.tenant(), job.route(),
                        JobCodec.encode(job), JobCodec.encode(request), Integer.toString(limits.maxQueuedPerTenant()),
                        Long.toString(limits.maxJobs()))
                .thenApply(reply -> SubmitOutcome.valueOf(first(reply).toUpperCase(Locale.ROOT)));
    }

    @Override
    public CompletionStage<Optional<Job>> get(String tenant, String id) {
        return read(id).thenApply(read -> Optional.ofNullable(read).map(Read::job)
                .filter(job -> job.tenant().equals(tenant)).map(job -> asStored(job, millis())));
    }

    @Override
    public CompletionStage<JobPage> list(String tenant, Optional<JobStatus> status, String pageToken, int limit) {
        if (limit < 1) {
            throw new IllegalArgumentException("limit: " + limit + " (expected: at least 1)");
        }
        if (pageToken != null && !pageToken.matches("[1-9][0-9]{0,17}")) {
            throw new IllegalArgumentException("not a page token");
        }
        return redis.script("job_list", LIST, new String[0], prefix, tenant, pageToken == null ? "+inf" : pageToken,
                        Integer.toString(limit), status.map(JobStatus::wireName).orElse(""), now(), ttl())
                .thenApply(reply -> {
                    List<Job> jobs = new ArrayList<>();
                    String lastSequence = null;
                    for (int i = 0; i + 1 < reply.size() && jobs.size() < limit; i += 2) {
                        lastSequence = (String) reply.get(i);
                        jobs.add(asStored(JobCodec.decode((String) reply.get(i + 1)), millis()));
                    }
                    boolean more = reply.size() > 2 * limit;
                    return new JobPage(jobs, more ? Optional.of(wholeNumber(lastSequence)) : Optional.empty());
                });
    }

    @Override
    public CompletionStage<Optional<Job>> update(String id, Function<Job, Optional<Job>> transition) {
        return read(id).thenCompose(read -> {
            if (read == null) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            Job after = transition.apply(read.job()).orElse(null);
            if (after == null || !read.job().mayBecome(after)) {
                return CompletableFuture.completedFuture(Optional.empty());
            }
            return redis.script("job_write", WRITE, new String[0], prefix, id, read.version(), JobCodec.encode(after),
                            after.status().wireName(), after.webhookDue() ? "1" : "0", now(), ttl())
                    .thenCompose(reply -> switch (first(reply)) {
                        case "ok" -> {
                            waits.changed(after);
                            yield CompletableFuture.completedFuture(Optional.of(after));
                        }
                        case "conflict" -> update(id, transition);
                        default -> CompletableFuture.completedFuture(Optional.<Job>empty());
                    });
        });
    }

    @Override
    public CompletionStage<Optional<Job>> await(String tenant, String id, Duration wait) {
        long deadline = wall.millis() + wait.toMillis();
        return get(tenant, id).thenCompose(job -> job.isEmpty() || job.get().status().isFinished()
                || wait.isNegative() || wait.isZero() ? CompletableFuture.completedFuture(job)
                : waits.add(tenant, id, deadline));
    }

    @Override
    public CompletionStage<List<Claim>> claim(String owner, Map<String, Integer> slots, Duration lease) {
        List<String> args = new ArrayList<>(List.of(prefix, owner, Long.toString(millis() + lease.toMillis())));
        slots.forEach((route, free) -> {
            if (free > 0) {
                args.add(route);
                args.add(Integer.toString(free));
            }
        });
        if (args.size() == 3) {
            return CompletableFuture.completedFuture(List.of());
        }
        return redis.script("job_claim", CLAIM, new String[0], args.toArray(String[]::new)).thenApply(reply -> {
            List<Claim> claims = new ArrayList<>();
            for (int i = 0; i + 2 < reply.size(); i += 3) {
                claims.add(new Claim(JobCodec.decode((String) reply.get(i)),
                        JobCodec.decodeRequest((String) reply.get(i + 1))));
            }
            return claims;
        });
    }

    @Override
    public CompletionStage<Boolean> renew(String id, String owner, Duration lease) {
        return redis.script("job_renew", RENEW, new String[0], prefix, id, owner,
                Long.toString(millis() + lease.toMillis())).thenApply(reply -> ((Long) reply.get(0)) == 1L);
    }

    @Override
    public CompletionStage<List<Job>> dueWebhooks(Duration hold, int max) {
        long now = millis();
        return redis.script("job_webhooks", WEBHOOKS, new String[0], prefix, Long.toString(now),
                Long.toString(now + hold.toMillis()), Integer.toString(max)).thenApply(reply -> reply.stream()
                .map(doc -> JobCodec.decode((String) doc)).toList());
    }

    @Override
    public CompletionStage<Void> webhookDueIn(String id, Duration delay) {
        return redis.command("job_webhooks", c -> c.zadd(prefix + "webhooks", io.lettuce.core.ZAddArgs.Builder.xx(),
                (double) (millis() + delay.toMillis()), id)).thenApply(added -> null);
    }

    @Override
    public CompletionStage<Map<JobStatus, Long>> countByStatus() {
        return redis.script("job_counts", COUNTS, new String[0], prefix, now(), ttl()).thenApply(reply -> {
            Map<JobStatus, Long> counts = new EnumMap<>(JobStatus.class);
            JobStatus[] order = {JobStatus.QUEUED, JobStatus.RUNNING, JobStatus.SUCCEEDED, JobStatus.FAILED,
                    JobStatus.CANCELLED, JobStatus.EXPIRED};
            for (int i = 0; i < order.length; i++) {
                counts.put(order[i], Math.max(0, (Long) reply.get(i)));
            }
            return Collections.unmodifiableMap(counts);
        });
    }

    @Override
    public CompletionStage<Integer> onTick() {
        long now = wall.millis();
        waits.poll(now);
        if (now - lastTakeOver < TAKE_OVER_EVERY_MILLIS) {
            return CompletableFuture.completedFuture(0);
        }
        lastTakeOver = now;
        return redis.script("job_tick", TICK, new String[0], prefix, now(), ttl())
                .thenApply(reply -> {
                    int lapsed = ((Long) reply.get(0)).intValue();
                    redis.meters().leasesTakenOver(lapsed);
                    return lapsed;
                });
    }

    /** The job as stored, and its version; null when not there. */
    private CompletionStage<Read> read(String id) {
        return redis.command("job_read", c -> c.hmget(prefix + "job:" + id, "doc", "ver")).thenApply(fields -> {
            if (!fields.get(0).hasValue()) {
                return null;
            }
            Job job = JobCodec.decode(fields.get(0).getValue());
            return new Read(job, fields.get(1).getValue());
        });
    }

    /** A finished job whose result's time is up reads expired, as the memory store keeps it. */
    private Job asStored(Job job, long now) {
        boolean expired = job.finishedAt() != null && job.status() != JobStatus.EXPIRED
                && now - job.finishedAt().epochMillis() >= limits.resultTtl().toMillis();
        return expired ? job.expire().orElse(job) : job;
    }

    private static String first(List<Object> reply) {
        return String.valueOf(reply.get(0));
    }

    private static String wholeNumber(String score) {
        return Long.toString((long) Double.parseDouble(score));
    }

    private long millis() {
        return wall.millis();
    }

    private String now() {
        return Long.toString(millis());
    }

    private String ttl() {
        return Long.toString(limits.resultTtl().toMillis());
    }
}
