package io.infergate.server.exchange;

import java.util.EnumSet;
import java.util.Set;

/**
 * Where an {@link Exchange} is on the request's way. Each phase names the ones it may move on to;
 * a move not listed is a bug, and {@link #check} says so loudly rather than letting it pass.
 */
enum Phase {
    /**
     * The client is still sending its body; nothing is reserved for the request yet. A request whose
     * route its body's model chose ({@link ModelIntake}) comes with its body in, and passes at once.
     */
    AWAITING_BODY,
    /** The whole body is in: tenant, rate limit and admission decide (a queued request waits here). */
    GATING,
    /** An attempt has its endpoint and is getting a connection to send the request on. */
    CONNECTING,
    /** The request went up; the response head is awaited. */
    AWAITING_HEAD,
    /** A head arrived that is judged by its body or its stream's first event before the client sees it. */
    HOLDING,
    /**
     * The response is on its way to the client: no other attempt from here, but for one way back to
     * {@link #CONNECTING}, a stream that broke and is continued elsewhere (mid-stream recovery).
     */
    RELAYING,
    /** An attempt failed; another one follows after its backoff. */
    RETRY_WAIT,
    /** The chosen endpoint is warming: parked until it answers, or until the request can wait no longer. */
    WARMING_WAIT,
    /** Before any attempt, every endpoint's breaker is open: held until a probe is due, or its outcome known. */
    BREAKER_WAIT,
    /** Finished: everything is released. */
    DONE;

    private Set<Phase> next;

    static {
        AWAITING_BODY.next = EnumSet.of(GATING, DONE);
        GATING.next = EnumSet.of(CONNECTING, WARMING_WAIT, BREAKER_WAIT, DONE);
        CONNECTING.next = EnumSet.of(AWAITING_HEAD, CONNECTING, RETRY_WAIT, WARMING_WAIT, DONE);
        AWAITING_HEAD.next = EnumSet.of(HOLDING, RELAYING, CONNECTING, RETRY_WAIT, WARMING_WAIT, DONE);
        HOLDING.next = EnumSet.of(RELAYING, CONNECTING, RETRY_WAIT, WARMING_WAIT, DONE);
        RELAYING.next = EnumSet.of(CONNECTING, DONE);
        RETRY_WAIT.next = EnumSet.of(CONNECTING, WARMING_WAIT, DONE);
        WARMING_WAIT.next = EnumSet.of(CONNECTING, WARMING_WAIT, DONE);
        BREAKER_WAIT.next = EnumSet.of(CONNECTING, WARMING_WAIT, BREAKER_WAIT, DONE);
        DONE.next = EnumSet.noneOf(Phase.class);
    }

    /** The phase {@code to}, when this one may move there; otherwise an {@link IllegalStateException}. */
    Phase check(Phase to) {
        if (!next.contains(to)) {
            throw new IllegalStateException("an exchange cannot move from " + this + " to " + to);
        }
        return to;
    }

    /** Whether an upstream attempt is under way (connecting, sent, or its response held). */
    boolean attempting() {
        return this == CONNECTING || this == AWAITING_HEAD || this == HOLDING;
    }
}
