package io.infergate.server.exchange;

import io.infergate.server.wire.KeyScrubber;
import io.infergate.core.admission.AdmissionController;
import io.infergate.core.admission.Outcome;
import io.infergate.core.admission.Permit;
import io.infergate.core.admission.Request;
import io.infergate.core.admission.Ticket;
import io.infergate.core.error.GatewayError;
import io.infergate.core.ratelimit.Decision;
import io.infergate.core.ratelimit.RateLimitStore;
import io.infergate.core.ratelimit.TokenReservation;
import io.infergate.core.route.Route;
import io.infergate.core.tenant.CredentialHeaders;
import io.infergate.core.tenant.Identification;
import io.infergate.core.tenant.Tenant;
import io.infergate.core.tenant.TenantDirectory;
import io.infergate.server.jobs.JobPass;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.concurrent.EventExecutor;

import java.util.Optional;

/**
 * What a request passes before its first attempt, in the order of its way: who is asking (its
 * tenant: 401 without a known key, 403 for a route it may not use), whether the tenant's rate limit
 * allows it (429 {@code rate_limited}; on a shared store, decided off the loop and brought back to it), and the route's admission (admitted now, queued, or shed).
 * The tenant's key is taken off the request here, so no upstream ever sees it. A job's request, sent
 * by the gateway to itself, runs as its tenant, already charged to its rate limit when submitted.
 */
final class RequestGate {

    /** A shared store is back within a second or two, or the gateway turns unready. */
    static final long STORE_RETRY_AFTER_SECONDS = 1;

    /** The exchange, told on its own loop how the gate decided. */
    interface Listener {
        void passed();

        /** @param rateLimit the rate-limit decision when that is what refused, for its headers; else null */
        void refused(GatewayError error, String message, long retryAfterSeconds, Decision rateLimit);

        /** The request waits in the route's queue. */
        default void queued() {}
    }

    private final Route route;
    private final RateLimitStore rateLimiter;
    private final EventExecutor executor;
    private Listener listener;
    private final Identification identification;
    private Ticket queued;
    private Permit permit;
    private long reservedTokens;
    /** The tenant's rate limit, once it let the request through: its headers go on the answer. */
    private Decision rateLimit;
    /** The queue wait admission predicted when it shed the request; 0 otherwise. */
    private long predictedWaitNanos;
    private boolean closed;
    private final boolean job;
    /** The job this request runs; null for a client's request. */
    private final String jobId;

    RequestGate(ProxyContext context, Route route, HttpHeaders headers, EventExecutor executor) {
        this.route = route;
        this.rateLimiter = context.rateLimiter();
        this.executor = executor;
        String jobPass = headers.get(JobPass.HEADER);
        headers.remove(JobPass.HEADER);
        Optional<JobPass.Claim> claim = jobPass == null || context.jobs() == null ? Optional.empty()
                : context.jobs().pass().claimOf(jobPass);
        this.jobId = claim.map(JobPass.Claim::jobId).orElse(null);
        this.job = claim.isPresent();
        TenantDirectory tenants = context.tenants();
        this.identification = job ? jobOf(tenants, claim.get().tenant())
                : tenants.identify(headers.get(CredentialHeaders.AUTHORIZATION), headers.get(CredentialHeaders.X_API_KEY));
        for (String credential : CredentialHeaders.toRemove(identification)) {
            headers.remove(credential);
        }
        KeyScrubber.strip(headers, tenants);
    }

    /** Runs {@code step} on the client's loop: now if this is it. */
    void onLoop(Runnable step) {
        if (executor.inEventLoop()) {
            step.run();
        } else {
            executor.execute(step);
        }
    }

    /** A job runs as the tenant that submitted it, named by the gateway itself. */
    private static Identification jobOf(TenantDirectory tenants, String name) {
        Tenant tenant = tenants.byName(name).orElse(tenants.anonymous());
        return new Identification(tenant.isAnonymous() ? Identification.Status.ANONYMOUS : Identification.Status.TENANT,
                tenant, Identification.Source.NONE);
    }

    /** The job this request runs, sent by the gateway to itself; null for a client's request. */
    String jobId() {
        return jobId;
    }

    /** Whether this is a job's request, sent by the gateway to itself. */
    boolean isJob() {
        return job;
    }

    /** Whether the request's body must be read whole before the gate can decide: its tokens are limited. */
    boolean needsBody() {
        return !identification.refused() && identification.tenant().limits().tokensPerMinute().isPresent();
    }

    /**
     * Decides, at once or (queued) later, on the listener's loop.
     *
     * @param body     the whole body when {@link #needsBody}, else null
     * @param deadline when the request's total deadline passes, in ticker nanoseconds
     * @param admit    whether the route's admission is to be passed too (not for a job's submission,
     *                 which waits in the job store instead)
     * @param listener told how the gate decided, now or once the request's turn comes
     */
    void open(byte[] body, long arrivalNanos, long deadline, boolean admit, Listener listener) {
        this.listener = listener;
        if (identification.refused()) {
            listener.refused(GatewayError.UNAUTHORIZED, identification.refusal(), 0, null);
            return;
        }
        Tenant tenant = identification.tenant();
        if (!tenant.allows(route.name())) {
            listener.refused(GatewayError.FORBIDDEN, "route " + route.name() + " is not allowed for this key", 0, null);
            return;
        }
        if (!tenant.limits().isNone() && !job) {
            long tokens = body == null ? 0 : TokenReservation.of(body, route.reserveTokens());
            Decision now = rateLimiter.decideNow(tenant, route.name(), tokens);
            if (now != null) {
                rateDecided(now, null, arrivalNanos, deadline, admit);
                return;
            }
            // A shared store answers later, off the loop (or at once, if it failed at once): the
            // decision is brought back to the loop.
            rateLimiter.acquire(tenant, route.name(), tokens).whenComplete((decision, error) ->
                    onLoop(() -> rateDecided(decision, error, arrivalNanos, deadline, admit)));
            return;
        }
        admit(arrivalNanos, deadline, admit);
    }

    /** The tenant's rate limit decided, or could not be checked (the shared store is down, and its policy is to refuse). */
    private void rateDecided(Decision decision, Throwable error, long arrivalNanos, long deadline, boolean admit) {
        if (closed) {
            return;
        }
        if (error != null) {
            listener.refused(GatewayError.STORE_UNAVAILABLE, "the tenant's rate limit cannot be checked: "
                    + GatewayError.STORE_UNAVAILABLE.defaultMessage(), STORE_RETRY_AFTER_SECONDS, null);
            return;
        }
        if (!decision.allowed()) {
            listener.refused(GatewayError.RATE_LIMITED, GatewayError.RATE_LIMITED.defaultMessage(),
                    decision.retryAfterSeconds(), decision);
            return;
        }
        reservedTokens = decision.reservedTokens();
        rateLimit = decision;
        admit(arrivalNanos, deadline, admit);
    }

    private void admit(long arrivalNanos, long deadline, boolean admit) {
        Tenant tenant = identification.tenant();
        if (!admit) {
            listener.passed();
            return;
        }
        AdmissionController admission = route.admission();
        Ticket ticket = admission.acquire(new Request(tenant.name(), tenant.tier(), arrivalNanos, deadline));
        Optional<Outcome> decided = ticket.outcome();
        if (decided.isPresent()) {
            decided(decided.get());
        } else {
            queued = ticket;
            listener.queued();
            ticket.decision().thenAccept(outcome -> executor.execute(() -> decided(outcome)));
        }
    }

    private void decided(Outcome outcome) {
        queued = null;
        if (closed) {
            if (outcome.isAdmitted()) {
                route.admission().release(outcome.permit());
            }
            return;
        }
        if (!outcome.isAdmitted()) {
            if (outcome.error() != null) {
                predictedWaitNanos = outcome.predictedWaitNanos();
                listener.refused(outcome.error(), outcome.verdict().message(), outcome.retryAfterSeconds(), rateLimit);
            }
            return;
        }
        permit = outcome.permit();
        listener.passed();
    }

    long predictedWaitNanos() {
        return predictedWaitNanos;
    }

    /** Whether the request waits in the route's queue. */
    boolean queued() {
        return queued != null;
    }

    /** The tenant's rate limit as it let the request through; null before, or without limits. */
    Decision rateLimit() {
        return rateLimit;
    }

    Tenant tenant() {
        return identification.refused() ? null : identification.tenant();
    }

    /** Nanoseconds the request waited for admission; 0 when it was not admitted. */
    long queueWaitNanos() {
        return permit == null ? 0 : permit.queueWaitNanos();
    }

    /** The response said how many tokens were generated: the tenant's reservation is settled. */
    void tokensUsed(long actual) {
        if (reservedTokens > 0) {
            rateLimiter.correct(identification.tenant(), route.name(), reservedTokens, actual);
            reservedTokens = 0;
        }
    }

    /**
     * The exchange is over: a queued request leaves the queue, an admitted one gives its slot back,
     * its hold counted as the endpoint's service time unless {@code byClient} ended it.
     */
    /** The permit taken only to see that the request could be admitted goes back unused, its hold not counted. */
    void releaseUnused() {
        if (permit != null) {
            route.admission().releaseIgnored(permit);
            permit = null;
        }
    }

    void close(boolean byClient) {
        closed = true;
        if (queued != null) {
            route.admission().cancel(queued);
            queued = null;
        }
        if (permit != null) {
            if (byClient) {
                route.admission().releaseIgnored(permit);
            } else {
                route.admission().release(permit);
            }
            permit = null;
        }
    }
}
