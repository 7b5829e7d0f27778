package io.infergate.core.admission;

/**
 * One of a route's slots, held from admission until the response (or stream) ends, because the GPU
 * is busy for the whole generation. Give it back with {@link AdmissionController#release(Permit)};
 * a second release of the same permit does nothing, so an error path may release what a finished
 * stream already did.
 */
public final class Permit {

    final AdmissionController owner;
    private final Request request;
    private final long grantedAtNanos;
    /** Guarded by the owner's lock. */
    boolean released;

    Permit(AdmissionController owner, Request request, long grantedAtNanos) {
        this.owner = owner;
        this.request = request;
        this.grantedAtNanos = grantedAtNanos;
    }

    public Request request() {
        return request;
    }

    public long grantedAtNanos() {
        return grantedAtNanos;
    }

    /** How long the request waited for this permit, for {@code Server-Timing} and the queue-wait meter. */
    public long queueWaitNanos() {
        return Math.max(0, grantedAtNanos - request.arrivalNanos());
    }
}
