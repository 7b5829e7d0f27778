package io.infergate.core.admission;

import io.infergate.core.Ticker;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.NavigableSet;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * One route's admission: a count of permits against the route's capacity, and a bounded queue in
 * front of it, served highest tier first and first come first served within a tier.
 * <p>
 * {@link #acquire} decides at once where it can, in this order: a deadline already gone is
 * {@code deadline_exceeded}; load past the tier's threshold is shed; a free slot admits; a predicted
 * wait past {@code maxQueueWait}, or one that leaves too little time to finish before the answer is
 * due ({@link Request#answerByNanos}, a margin ahead of the deadline), is shed; a tenant over its
 * share of the queue, or a full queue with nothing of a lower tier to displace, is
 * {@code queue_full}; anything else waits. Prediction comes before room so that a request that could
 * not finish in time is told when to come back rather than that the queue is full.
 * <p>
 * While the capacity is still growing (a learned limit probing an endpoint that has not queued
 * yet), it is only a floor: a wait predicted from it is no prediction, and a tenant's share of the
 * queue would refuse requests the endpoint has room for. Then requests wait, bounded by the queue
 * and their deadlines, and one whose turn comes too late to finish is shed then.
 * <p>
 * A waiter whose turn comes in a slot past the proven ones ({@link Capacity#provenSlots}: a learned
 * limit probing above what its endpoints have run without queueing) must have a mean service time
 * more left than one in a proven slot: the endpoint may hold it that long before its own begins.
 * <p>
 * Capacity is read from a supplier on every decision, so it follows breakers opening and closing;
 * when it shrinks, the permits out keep running and no one is admitted until they fall below it.
 * With no capacity at all the wait cannot be predicted and requests wait (the gateway prefers holding
 * to a 503), bounded by the queue and their deadlines.
 * <p>
 * Every method is thread-safe. Decisions are made under one lock; the tickets they decide are
 * completed after it is released, so a callback that calls back in cannot deadlock. The capacity and
 * load suppliers must be cheap and must not call back into the controller.
 * <p>
 * A route far from its limit, nobody waiting and a slot free, admits and releases without that lock,
 * which the route's other event loops would wait on: a slot is taken by a compare-and-set on the
 * count. A release that frees a slot while a request is being queued cannot be missed: the release
 * lowers the count, then looks for waiters; the queueing raises the number of waiters, then looks for
 * a free slot; one of the two sees the other.
 */
public final class AdmissionController {

    /** Highest priority first, then first come first served. */
    private static final Comparator<Ticket> SERVICE_ORDER =
            Comparator.comparingInt(Ticket::priority).reversed().thenComparingLong(t -> t.sequence);

    private record TierTenant(String tier, String tenant) {}

    private record Decided(Ticket ticket, Outcome outcome) {}

    /** What the route's config says, and where its capacity and load are read; a reload replaces it whole. */
    private record Terms(AdmissionSettings settings, Capacity capacity, Supplier<RouteLoad> load,
                         long maxQueueWaitNanos, int placesPerTenant) {
        Terms(AdmissionSettings settings, Capacity capacity, Supplier<RouteLoad> load) {
            this(settings, capacity, load, settings.maxQueueWait().toNanos(), settings.queuePlacesPerTenant());
        }
    }

    private volatile Terms terms;
    private final WaitEstimator estimator;
    private final Ticker ticker;

    private final Object lock = new Object();
    private final NavigableSet<Ticket> queue = new TreeSet<>(SERVICE_ORDER);
    private final Map<String, Integer> queuedByTier = new HashMap<>();
    private final Map<TierTenant, Integer> queuedByTenant = new HashMap<>();
    private long nextSequence;
    /** Permits out; raised only through {@link #takeSlot}, so it never passes the slots. */
    private final AtomicInteger inFlight = new AtomicInteger();
    /** The queue's size, for the paths that do not take the lock; written under it. */
    private volatile int waiting;

    /**
     * @param capacity the route's slots now, typically {@code settings.slots(healthy endpoints)}
     * @param load     the route's reported load now, {@link RouteLoad#UNKNOWN} when there is none
     */
    public AdmissionController(AdmissionSettings settings, IntSupplier capacity, Supplier<RouteLoad> load,
                               WaitEstimator estimator, Ticker ticker) {
        this(settings, Capacity.of(capacity), load, estimator, ticker);
    }

    /** @param capacity the route's slots now, how many of them are proven, and whether they are still growing */
    public AdmissionController(AdmissionSettings settings, Capacity capacity, Supplier<RouteLoad> load,
                               WaitEstimator estimator, Ticker ticker) {
        this.terms = new Terms(settings, capacity, load);
        this.estimator = estimator;
        this.ticker = ticker;
    }

    /**
     * A reload's new limits for the same route: the permits out and the waiters stay, and the
     * waiters are judged again, as new arrivals would be. Room the new capacity makes admits at once;
     * a queue now past its bound sheds its lowest waiters ({@code queue_full}); a waiter that could
     * no longer be served in time, or would now wait past {@code maxQueueWait}, is shed with the wait
     * it faces. The service time learned so far is kept.
     */
    public void reconfigure(AdmissionSettings settings, IntSupplier capacity, Supplier<RouteLoad> load) {
        reconfigure(settings, Capacity.of(capacity), load);
    }

    /** As {@link #reconfigure(AdmissionSettings, IntSupplier, Supplier)}, with a capacity that may be learned. */
    public void reconfigure(AdmissionSettings settings, Capacity capacity, Supplier<RouteLoad> load) {
        List<Decided> decided = new ArrayList<>();
        synchronized (lock) {
            terms = new Terms(settings, capacity, load);
            long now = ticker.nanoTime();
            int slots = slots();
            settle(now, slots, decided);
            int free = Math.max(0, slots - inFlight.get());
            while (queue.size() > settings.queue()) {
                Ticket lowest = queue.pollLast();
                uncount(lowest);
                long turnover = slots > 0 ? estimator.predictWaitNanos(queue.size(), free, slots) : estimator.meanServiceNanos();
                decided.add(new Decided(lowest, Outcome.shed(Verdict.QUEUE_FULL, turnover)));
            }
            reconsider(queue.iterator(), 0, now, slots, decided);
        }
        complete(decided);
    }

    /** Admits, queues or refuses {@code request}; a queued ticket is decided later. */
    public Ticket acquire(Request request) {
        RouteLoad reported = terms.load().get();
        Ticket atOnce = admitAtOnce(request, reported);
        if (atOnce != null) {
            return atOnce;
        }
        List<Decided> decided = new ArrayList<>(2);
        Ticket ticket;
        synchronized (lock) {
            long now = ticker.nanoTime();
            int slots = slots();
            settle(now, slots, decided);
            ticket = new Ticket(this, request, nextSequence++);
            Outcome outcome = decide(ticket, reported, now, slots, decided);
            if (outcome != null) {
                decided.add(new Decided(ticket, outcome));
            }
        }
        complete(decided);
        return ticket;
    }

    /**
     * Gives the permit's slot back, counts its hold in the service time, and admits the next waiter.
     * Returns whether this call released it: a second release of the same permit does nothing.
     */
    public boolean release(Permit permit) {
        return release(permit, true);
    }

    /**
     * Gives the permit's slot back without counting its hold: the request ended by its client's doing
     * (it left, or read too slowly), so how long it held the slot says nothing about the endpoint.
     */
    public boolean releaseIgnored(Permit permit) {
        return release(permit, false);
    }

    private boolean release(Permit permit, boolean sample) {
        if (permit.owner != this) {
            throw new IllegalArgumentException("the permit belongs to another route");
        }
        if (!permit.markReleased()) {
            return false;
        }
        if (sample) {
            estimator.observe(Math.max(0, ticker.nanoTime() - permit.grantedAtNanos()));
        }
        inFlight.decrementAndGet();
        if (waiting > 0) {
            settle(); // the slot goes to the head of the queue
        }
        return true;
    }

    /**
     * Takes a waiting request out of the queue because its client left; it is decided
     * {@link Verdict#CANCELLED}. Returns false when it was no longer waiting: if it was admitted,
     * the caller holds a permit to release.
     */
    public boolean cancel(Ticket ticket) {
        if (ticket.owner != this) {
            throw new IllegalArgumentException("the ticket belongs to another route");
        }
        synchronized (lock) {
            if (!dequeue(ticket)) {
                return false;
            }
        }
        complete(List.of(new Decided(ticket, Outcome.of(Verdict.CANCELLED))));
        return true;
    }

    /**
     * Answers the waiters whose deadline has passed with {@code deadline_exceeded}, and admits
     * waiters into slots that are free. The server calls it from a timer.
     */
    public void onTick() {
        settle();
    }

    /** The route's capacity may have grown (a breaker closed, an endpoint warmed up): admits waiters. */
    public void capacityChanged() {
        settle();
    }

    /** Whether a request may wait here at all; with {@code queue: 0}, one without a free slot is refused at once. */
    public boolean queues() {
        return terms.settings().queue() > 0;
    }

    /** Requests waiting in the queue. */
    public int queueDepth() {
        synchronized (lock) {
            return queue.size();
        }
    }

    /** Requests of {@code tier} waiting in the queue. */
    public int queueDepth(Tier tier) {
        synchronized (lock) {
            return queuedByTier.getOrDefault(tier.name(), 0);
        }
    }

    /** Permits out. */
    public int inFlight() {
        return inFlight.get();
    }

    private void settle() {
        List<Decided> decided = new ArrayList<>();
        synchronized (lock) {
            settle(ticker.nanoTime(), slots(), decided);
        }
        complete(decided);
    }

    /** The decision for a new request, or null when it waits. Called with the queue settled. */
    private Outcome decide(Ticket ticket, RouteLoad reported, long now, int slots, List<Decided> decided) {
        Request request = ticket.request();
        if (request.deadlineNanos() - now <= 0) {
            return Outcome.of(Verdict.DEADLINE_EXCEEDED);
        }
        int free = Math.max(0, slots - inFlight.get());
        int ahead = queue.isEmpty() ? 0 : queue.headSet(ticket, false).size();
        if (request.tier().shedsUnder(reported, terms.settings())) {
            // Come back when the requests ahead have gone and the work in flight has turned over.
            long wait = slots > 0 ? estimator.predictWaitNanos(ahead, free, slots) : 0;
            return Outcome.shed(Verdict.SHED_LOAD, Math.max(wait, estimator.meanServiceNanos()));
        }
        if (free > 0 && takeSlot(slots) >= 0) {
            return Outcome.admitted(new Permit(this, request, now));
        }
        boolean growing = terms.capacity().growing();
        if (slots > 0 && !growing) {
            long wait = estimator.predictWaitNanos(ahead, free, slots);
            if (wait > terms.maxQueueWaitNanos()) {
                return Outcome.shed(Verdict.SHED_PREDICTED_WAIT, wait);
            }
            if (wait + estimator.serviceBoundNanos() > request.answerByNanos() - now) {
                // It would be forwarded too late to finish: told now, not at its deadline.
                return Outcome.shed(Verdict.SHED_PAST_DEADLINE, wait);
            }
        }
        // A full queue says when it will have turned over: a client told nothing comes back at once.
        long turnover = slots > 0 ? estimator.predictWaitNanos(queue.size(), free, slots) : estimator.meanServiceNanos();
        if (!growing && queuedByTenant.getOrDefault(tenantOf(ticket), 0) >= terms.placesPerTenant()) {
            return Outcome.shed(Verdict.TENANT_SHARE_FULL, turnover);
        }
        if (queue.size() >= terms.settings().queue()) {
            Ticket lowest = queue.isEmpty() ? null : queue.last();
            if (lowest == null || lowest.priority() >= ticket.priority()) {
                return Outcome.shed(Verdict.QUEUE_FULL, turnover);
            }
            dequeue(lowest);
            // Behind everything now queued, were it to come back at once.
            long wait = slots > 0 ? estimator.predictWaitNanos(queue.size() + 1, free, slots) : estimator.meanServiceNanos();
            decided.add(new Decided(lowest, Outcome.shed(Verdict.SHED_DISPLACED, wait)));
        }
        enqueue(ticket);
        reconsiderBehind(ticket, now, slots, decided);
        admitWaiters(now, slots, decided); // a slot freed while it was being queued is not missed
        return null;
    }

    /** Answers expired waiters, then fills free slots from the head of the queue. */
    private void settle(long now, int slots, List<Decided> decided) {
        for (Iterator<Ticket> it = queue.iterator(); it.hasNext(); ) {
            Ticket waiter = it.next();
            if (waiter.request().deadlineNanos() - now <= 0) {
                it.remove();
                uncount(waiter);
                decided.add(new Decided(waiter, Outcome.of(Verdict.DEADLINE_EXCEEDED)));
            }
        }
        admitWaiters(now, slots, decided);
    }

    /** Fills free slots from the head of the queue. */
    private void admitWaiters(long now, int slots, List<Decided> decided) {
        int proven = -1; // read once, and only when someone is admitted from the queue
        for (int slot; !queue.isEmpty() && (slot = takeSlot(slots)) >= 0; ) {
            Ticket next = queue.pollFirst();
            uncount(next);
            if (proven < 0) {
                proven = terms.capacity().provenSlots();
            }
            // Past the proven slots the endpoint may hold it a whole service time before its own begins.
            long needed = estimator.serviceBoundNanos() + (slot >= proven ? estimator.meanServiceNanos() : 0);
            if (next.request().answerByNanos() - now < needed) {
                // Its turn came, but too late to finish in the time it has left: never forwarded late.
                inFlight.decrementAndGet();
                decided.add(new Decided(next, Outcome.shed(Verdict.SHED_PAST_DEADLINE, estimator.meanServiceNanos())));
                continue;
            }
            decided.add(new Decided(next, Outcome.admitted(new Permit(this, next.request(), now))));
        }
    }

    /**
     * A request was queued ahead of others (a higher tier): those behind it that could no longer
     * finish in time (predicted wait plus a service time past their deadline), or would now wait
     * past {@code maxQueueWait}, are shed at once, with a Retry-After, rather than at their deadline.
     */
    private void reconsiderBehind(Ticket ticket, long now, int slots, List<Decided> decided) {
        reconsider(queue.tailSet(ticket, false).iterator(), queue.headSet(ticket, true).size(), now, slots, decided);
    }

    /** Sheds the waiters from {@code waiters} on that could no longer be served in time; {@code ahead} are before them. */
    private void reconsider(Iterator<Ticket> waiters, int ahead, long now, int slots, List<Decided> decided) {
        if (slots <= 0) {
            return;
        }
        int free = Math.max(0, slots - inFlight.get());
        long maxQueueWaitNanos = terms.maxQueueWaitNanos();
        for (Iterator<Ticket> it = waiters; it.hasNext(); ahead++) {
            Ticket waiter = it.next();
            long wait = estimator.predictWaitNanos(ahead, free, slots);
            if (wait + estimator.serviceBoundNanos() > waiter.request().answerByNanos() - now
                    || wait > maxQueueWaitNanos) {
                it.remove();
                uncount(waiter);
                ahead--;
                decided.add(new Decided(waiter, Outcome.shed(Verdict.SHED_PAST_DEADLINE, wait)));
            }
        }
    }

    /**
     * Admitted at once without the lock, when nobody waits and a slot is free; null when the request
     * is for the locked path to decide (it waits, is shed, or its deadline has passed).
     */
    private Ticket admitAtOnce(Request request, RouteLoad reported) {
        if (waiting > 0 || request.tier().shedsUnder(reported, terms.settings())) {
            return null;
        }
        long now = ticker.nanoTime();
        if (request.deadlineNanos() - now <= 0 || takeSlot(slots()) < 0) {
            return null;
        }
        Ticket ticket = new Ticket(this, request, -1); // never queued, so its place in the queue's order is never read
        ticket.decide(Outcome.admitted(new Permit(this, request, now)));
        return ticket;
    }

    /** Takes one of {@code slots}: the number of permits out before it, or -1 when none is free. */
    private int takeSlot(int slots) {
        for (int out = inFlight.get(); out < slots; out = inFlight.get()) {
            if (inFlight.compareAndSet(out, out + 1)) {
                return out;
            }
        }
        return -1;
    }

    private void enqueue(Ticket ticket) {
        queue.add(ticket);
        waiting = queue.size();
        queuedByTier.merge(ticket.request().tier().name(), 1, Integer::sum);
        queuedByTenant.merge(tenantOf(ticket), 1, Integer::sum);
    }

    private boolean dequeue(Ticket ticket) {
        if (!queue.remove(ticket)) {
            return false;
        }
        uncount(ticket);
        return true;
    }

    private void uncount(Ticket ticket) {
        waiting = queue.size();
        queuedByTier.merge(ticket.request().tier().name(), -1, AdmissionController::sumOrNull);
        queuedByTenant.merge(tenantOf(ticket), -1, AdmissionController::sumOrNull);
    }

    private int slots() {
        return Math.max(0, terms.capacity().slots());
    }

    private static TierTenant tenantOf(Ticket ticket) {
        return new TierTenant(ticket.request().tier().name(), ticket.request().tenant());
    }

    /** Drops a count that reaches zero, so tenants that come and go leave no entries behind. */
    private static Integer sumOrNull(Integer a, Integer b) {
        int sum = a + b;
        return sum == 0 ? null : sum;
    }

    private static void complete(List<Decided> decided) {
        for (Decided d : decided) {
            boolean first = d.ticket().decide(d.outcome());
            assert first : "a ticket was decided twice";
        }
    }
}
