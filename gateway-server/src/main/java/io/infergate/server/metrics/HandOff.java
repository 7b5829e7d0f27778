package io.infergate.server.metrics;

import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A bounded queue from the event loops to the threads that consume it, whose {@link #offer} never
 * waits (the access log's records, taken by its writer and its backstop; tracing's ended spans).
 * <p>
 * An {@link java.util.concurrent.ArrayBlockingQueue} takes a lock for every offer and for the
 * consumer's drain, so a loop that offers while the consumer, descheduled on a busy machine, holds
 * that lock waits until the consumer runs again. Here an offer is a compare-and-set on a count and
 * one on the queue's tail; a full queue refuses at once.
 */
public final class HandOff<T> {

    private final Queue<T> items = new ConcurrentLinkedQueue<>();
    /** Offers accepted and not yet drained; counted before the item is queued, so it never exceeds the capacity. */
    private final AtomicInteger size = new AtomicInteger();
    private final int capacity;

    public HandOff(int capacity) {
        if (capacity < 1) {
            throw new IllegalArgumentException("capacity must be at least 1: " + capacity);
        }
        this.capacity = capacity;
    }

    /** Whether the item was taken; {@code false} when the queue is full. Never waits. */
    public boolean offer(T item) {
        if (size.incrementAndGet() > capacity) {
            size.decrementAndGet();
            return false;
        }
        items.add(item);
        return true;
    }

    /** Moves up to {@code max} items, oldest first, into {@code into}; how many it moved. */
    public int drainTo(List<T> into, int max) {
        int moved = 0;
        T item;
        while (moved < max && (item = items.poll()) != null) {
            into.add(item);
            moved++;
        }
        if (moved > 0) {
            size.addAndGet(-moved);
        }
        return moved;
    }

    /** Whether no offered item is waiting; an offer still under way may not show yet. */
    public boolean isEmpty() {
        return items.isEmpty();
    }

    /** Items offered and not yet drained, counting offers still under way. */
    public int size() {
        return size.get();
    }
}
