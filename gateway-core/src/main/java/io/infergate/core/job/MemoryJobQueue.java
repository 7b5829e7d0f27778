package io.infergate.core.job;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The queue side of {@link MemoryJobStore}: each route's waiting jobs in order, the requests they
 * will run, the leases of running jobs, and the webhooks due. Not thread-safe: the store calls it
 * under its lock, with times on its ticker.
 */
final class MemoryJobQueue {

    private record Lease(String owner, String route, long deadline) {}

    private final Map<String, ArrayDeque<String>> byRoute = new HashMap<>();
    private final Map<String, JobRequest> requests = new HashMap<>();
    private final Map<String, Lease> leases = new HashMap<>();
    /** Job id to the time its webhook is due, in the order they became due. */
    private final Map<String, Long> webhooksDue = new LinkedHashMap<>();

    void add(Job job, JobRequest request) {
        requests.put(job.id(), request);
        byRoute.computeIfAbsent(job.route(), r -> new ArrayDeque<>()).addLast(job.id());
    }

    /** The next job id waiting on {@code route}, taken off the queue; null when none waits. */
    String poll(String route) {
        ArrayDeque<String> queue = byRoute.get(route);
        return queue == null ? null : queue.pollFirst();
    }

    JobRequest request(String id) {
        return requests.get(id);
    }

    void lease(Job job, String owner, long deadline) {
        leases.put(job.id(), new Lease(owner, job.route(), deadline));
    }

    boolean renew(String id, String owner, long deadline) {
        Lease lease = leases.get(id);
        if (lease == null || !lease.owner().equals(owner)) {
            return false;
        }
        leases.put(id, new Lease(owner, lease.route(), deadline));
        return true;
    }

    /** Puts the jobs whose lease lapsed by {@code now} back at the front of their queue; how many. */
    int takeOverLapsed(long now) {
        int lapsed = 0;
        Iterator<Map.Entry<String, Lease>> entries = leases.entrySet().iterator();
        while (entries.hasNext()) {
            Map.Entry<String, Lease> entry = entries.next();
            if (now - entry.getValue().deadline() >= 0) {
                entries.remove();
                byRoute.computeIfAbsent(entry.getValue().route(), r -> new ArrayDeque<>()).addFirst(entry.getKey());
                lapsed++;
            }
        }
        return lapsed;
    }

    /** The job changed: once it has ended nothing runs it again, and its webhook is due while pending. */
    void changed(Job job, long now) {
        if (!job.status().isFinished()) {
            return;
        }
        requests.remove(job.id());
        leases.remove(job.id());
        ArrayDeque<String> queue = byRoute.get(job.route());
        if (queue != null) {
            queue.remove(job.id());
        }
        if (job.webhookDue()) {
            webhooksDue.putIfAbsent(job.id(), now);
        } else {
            webhooksDue.remove(job.id());
        }
    }

    /** The job is no longer held at all. */
    void forget(String id) {
        webhooksDue.remove(id);
    }

    /** Up to {@code max} job ids whose webhook is due by {@code now}, each due again at {@code heldUntil}. */
    List<String> dueWebhooks(long now, long heldUntil, int max) {
        List<String> due = new ArrayList<>();
        for (Map.Entry<String, Long> entry : webhooksDue.entrySet()) {
            if (due.size() < max && now - entry.getValue() >= 0) {
                due.add(entry.getKey());
            }
        }
        due.forEach(id -> webhooksDue.put(id, heldUntil));
        return due;
    }

    void webhookDueAt(String id, long at) {
        webhooksDue.computeIfPresent(id, (key, before) -> at);
    }
}
