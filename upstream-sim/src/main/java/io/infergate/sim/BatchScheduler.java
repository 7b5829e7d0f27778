package io.infergate.sim;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Continuous batching as TGI does it, reduced to slots: up to {@code maxBatch} sequences run at once,
 * up to {@code maxQueue} more wait in FIFO order, anything beyond is refused as overloaded. A sequence
 * that leaves the batch (finished or cancelled) hands its slot to the head of the queue. The batch
 * can be resized while it runs ({@code /_sim/batch}), as when a replica restarts with other settings:
 * a larger one takes from the queue at once, a smaller one lets the sequences running finish.
 */
final class BatchScheduler {

    /** A sequence competing for a slot. */
    interface Sequence {
        /** The sequence got a slot; called on whichever thread freed it. */
        void admitted();

        /** KV cache tokens the sequence reserves while it runs. */
        int reservedTokens();
    }

    enum Admission { RUNNING, QUEUED, REJECTED }

    private int maxBatch;
    private final int maxQueue;
    private final double slowdown;
    private final Set<Sequence> running = new HashSet<>();
    private final ArrayDeque<Sequence> queue = new ArrayDeque<>();
    private int maxRunningSeen;
    private long reservedTokens;

    /** @param slowdown per-sequence speed with a full batch, relative to running alone (0 < x <= 1) */
    BatchScheduler(int maxBatch, int maxQueue, double slowdown) {
        this.maxBatch = maxBatch;
        this.maxQueue = maxQueue;
        this.slowdown = slowdown;
    }

    /** Places a sequence; on {@code RUNNING} the caller starts it ({@link Sequence#admitted} is not called). */
    /** Resizes the batch; the sequences a larger one takes from the queue are started. */
    void resize(int newMaxBatch) {
        if (newMaxBatch < 1) {
            throw new IllegalArgumentException("maxBatch: " + newMaxBatch + " (expected: >= 1)");
        }
        List<Sequence> promoted = new ArrayList<>();
        synchronized (this) {
            maxBatch = newMaxBatch;
            while (running.size() < maxBatch && !queue.isEmpty()) {
                Sequence next = queue.pollFirst();
                run(next);
                promoted.add(next);
            }
        }
        promoted.forEach(Sequence::admitted);
    }

    synchronized Admission admit(Sequence sequence) {
        if (running.size() < maxBatch) {
            run(sequence);
            return Admission.RUNNING;
        }
        if (queue.size() < maxQueue) {
            queue.addLast(sequence);
            return Admission.QUEUED;
        }
        return Admission.REJECTED;
    }

    /** Removes a sequence, running or queued; idempotent. Promotes the queue's head into a freed slot. */
    void release(Sequence sequence) {
        Sequence next = null;
        synchronized (this) {
            if (running.remove(sequence)) {
                reservedTokens -= sequence.reservedTokens();
                next = running.size() < maxBatch ? queue.pollFirst() : null;
                if (next != null) {
                    run(next);
                }
            } else {
                queue.remove(sequence);
            }
        }
        if (next != null) {
            next.admitted();
        }
    }

    private void run(Sequence sequence) {
        running.add(sequence);
        reservedTokens += sequence.reservedTokens();
        maxRunningSeen = Math.max(maxRunningSeen, running.size());
    }

    /** Each running sequence's speed relative to running alone: linear from 1 (alone) to {@code slowdown} (full). */
    synchronized double speed() {
        return speedAt(running.size());
    }

    synchronized double speedAt(int batchSize) {
        if (maxBatch == 1 || batchSize <= 1) {
            return 1;
        }
        return 1 - (1 - slowdown) * (batchSize - 1) / (maxBatch - 1);
    }

    synchronized int running() {
        return running.size();
    }

    synchronized int queued() {
        return queue.size();
    }

    synchronized int maxRunningSeen() {
        return maxRunningSeen;
    }

    synchronized long reservedTokens() {
        return reservedTokens;
    }

    synchronized int maxBatch() {
        return maxBatch;
    }
}
