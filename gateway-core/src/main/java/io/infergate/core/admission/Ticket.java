package io.infergate.core.admission;

import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * A request's place in admission. Decided at once (admitted or refused) or, while it waits in the
 * queue, decided later by whichever call frees a slot, expires its deadline, displaces or cancels
 * it. Either way {@link #decision()} completes exactly once.
 * <p>
 * Callbacks run on the thread that decided, after the controller's lock is released; a server
 * should hop to the request's event loop in them rather than do the work in place.
 */
public final class Ticket {

    final AdmissionController owner;
    final long sequence;
    private final Request request;
    private final CompletableFuture<Outcome> decision = new CompletableFuture<>();

    Ticket(AdmissionController owner, Request request, long sequence) {
        this.owner = owner;
        this.request = request;
        this.sequence = sequence;
    }

    public Request request() {
        return request;
    }

    /** The decision if there is one yet; empty while the request waits. */
    public Optional<Outcome> outcome() {
        return Optional.ofNullable(decision.getNow(null));
    }

    /**
     * Completes once with the decision. The stage cannot be completed or cancelled from outside:
     * a client that leaves calls {@link AdmissionController#cancel(Ticket)}.
     */
    public CompletionStage<Outcome> decision() {
        return decision.minimalCompletionStage();
    }

    boolean decide(Outcome outcome) {
        return decision.complete(outcome);
    }

    int priority() {
        return request.tier().priority();
    }
}
