package io.infergate.server.exchange;

import io.infergate.core.config.ColdStartConfig;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Warming;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;

import java.util.concurrent.TimeUnit;

/**
 * One request's part in absorbing cold starts, on its client's event loop: whether it may go to a
 * warming endpoint (as its single probe), must wait for it (parked until released or out of time),
 * or should go elsewhere; and what it tells the endpoint's {@link Warming} about its own attempt.
 */
final class ColdStartWait {

    /** What the request does about the endpoint chosen for it. */
    enum Pass { GO, PARKED, GO_ELSEWHERE }

    /** The exchange, told on its own loop what became of a parked request. */
    interface Listener {
        /** The endpoint answered, or the probe is this request's turn: the attempt is made again. */
        void releasedFromWarming();

        /** The request may not wait for {@code endpoint} any longer. */
        void warmingHoldExpired(Endpoint endpoint);
    }

    private static final long NOT_HOLDING = Long.MIN_VALUE;

    private final EventExecutor executor;
    private final Listener listener;
    private Parked parked;
    private long holdingSince = NOT_HOLDING;
    /** Whether the current attempt is a warming endpoint's probe, whose verdict others await. */
    private boolean probing;
    /** The endpoint whose probe this request was released to make. */
    private Endpoint releasedProbeFor;

    ColdStartWait(EventExecutor executor, Listener listener) {
        this.executor = executor;
        this.listener = listener;
    }

    /**
     * Whether {@code endpoint} takes the request now. A warming one lets a single probe through;
     * other requests wait for it (and are released when it answers), or go to the next upstream at
     * once when its own estimate is beyond what they can wait. Waiting is not a retry.
     *
     * @param canGoElsewhere whether another upstream follows; without one, the request waits regardless
     */
    Pass pass(Endpoint endpoint, ColdStartConfig coldStart, long now, long nanosLeft, boolean canGoElsewhere) {
        if (releasedProbeFor != null) {
            Endpoint probeFor = releasedProbeFor;
            releasedProbeFor = null;
            if (probeFor == endpoint) {
                probing = true;
                return Pass.GO;
            }
            handProbeOn(probeFor, 0);
        }
        Warming warming = endpoint.warming();
        if (!warming.isWarming()) {
            return Pass.GO;
        }
        long canWait = canStillHold(coldStart, now, nanosLeft);
        Parked wait = new Parked(endpoint);
        Warming.Entry entry = warming.enter(wait, canGoElsewhere ? canWait : Long.MAX_VALUE);
        switch (entry) {
            case READY -> {
                return Pass.GO;
            }
            case PROBE -> {
                probing = true;
                return Pass.GO;
            }
            case WAIT -> {
                if (canWait > 0) {
                    parked = wait;
                    if (holdingSince == NOT_HOLDING) {
                        holdingSince = now;
                    }
                    wait.timer = executor.schedule(() -> expired(wait), canWait, TimeUnit.NANOSECONDS);
                    return Pass.PARKED;
                }
                warming.leave(wait);
                return Pass.GO_ELSEWHERE;
            }
            default -> {
                return Pass.GO_ELSEWHERE;
            }
        }
    }

    /** What is left of the request's time to wait for warming endpoints: {@code coldStart.maxHold} and its deadline. */
    long canStillHold(ColdStartConfig coldStart, long now, long nanosLeft) {
        long heldFor = holdingSince == NOT_HOLDING ? 0 : now - holdingSince;
        return Math.max(0, Math.min(coldStart.maxHold().toNanos() - heldFor, nanosLeft));
    }

    /**
     * The endpoint said its model is loading (or, scaled to zero, answered 503 or refused the
     * connection): it is marked warming, and its next probe scheduled.
     */
    void loading(Endpoint endpoint, ColdStartConfig coldStart, long etaNanos) {
        boolean wasProbe = probing;
        probing = false;
        scheduleProbe(endpoint, endpoint.warming().markLoading(wasProbe, etaNanos, coldStart.probeEvery().toNanos()));
    }

    /** The endpoint answered something other than "loading": it is warm, and its waiters go. */
    void answered(Endpoint endpoint) {
        probing = false;
        endpoint.warming().markReady();
    }

    /** The attempt failed without an answer (refused, silent): a probe's turn passes on after a pause. */
    void failedWithoutAnswer(Endpoint endpoint, ColdStartConfig coldStart) {
        if (probing) {
            probing = false;
            handProbeOn(endpoint, coldStart.probeEvery().toNanos());
        }
    }

    /** The exchange is over: it leaves any wait, and a probe it was making passes on at once. */
    void end(Endpoint current) {
        if (parked != null) {
            parked.endpoint.warming().leave(parked);
            parked.timer.cancel(false);
            parked = null;
        }
        if (probing) {
            probing = false;
            handProbeOn(current, 0);
        }
    }

    /** Seconds a client might wait before the endpoint is ready: its estimate, else a probe interval. */
    static long retryAfterSeconds(Endpoint endpoint, ColdStartConfig coldStart) {
        long eta = endpoint.warming().nanosUntilReady();
        long wait = eta >= 0 ? eta : coldStart.probeEvery().toNanos();
        return Math.max(1, TimeUnit.NANOSECONDS.toSeconds(wait + TimeUnit.SECONDS.toNanos(1) - 1));
    }

    private void expired(Parked wait) {
        if (parked != wait) {
            return;
        }
        parked = null;
        wait.endpoint.warming().leave(wait);
        listener.warmingHoldExpired(wait.endpoint);
    }

    private void released(Parked wait, boolean asProbe) {
        if (parked != wait) {
            // Gone already (out of time, or the client left): a probe's turn passes on.
            if (asProbe) {
                handProbeOn(wait.endpoint, 0);
            }
            return;
        }
        parked = null;
        wait.timer.cancel(false);
        releasedProbeFor = asProbe ? wait.endpoint : null;
        listener.releasedFromWarming();
    }

    private void handProbeOn(Endpoint endpoint, long pauseNanos) {
        long nextProbe = endpoint.warming().probeEnded(pauseNanos);
        if (nextProbe >= 0) {
            scheduleProbe(endpoint, nextProbe);
        }
    }

    private void scheduleProbe(Endpoint endpoint, long delayNanos) {
        executor.schedule(endpoint.warming()::probeDue, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The request parked at one endpoint; released from any thread, handled on the client's loop. */
    private final class Parked implements Warming.Waiter {
        final Endpoint endpoint;
        ScheduledFuture<?> timer;

        Parked(Endpoint endpoint) {
            this.endpoint = endpoint;
        }

        @Override
        public void released(boolean asProbe) {
            executor.execute(() -> ColdStartWait.this.released(this, asProbe));
        }
    }
}
