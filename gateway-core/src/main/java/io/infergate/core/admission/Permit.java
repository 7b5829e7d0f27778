package io.infergate.core.admission;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;

/**
 * One of a route's slots, held from admission until the response (or stream) ends, because the GPU
 * is busy for the whole generation. Give it back with {@link AdmissionController#release(Permit)};
 * a second release of the same permit does nothing, so an error path may release what a finished
 * stream already did.
 */
public final class Permit {

    private static final VarHandle RELEASED;

    static {
        try {
            RELEASED = MethodHandles.lookup().findVarHandle(Permit.class, "released", boolean.class);
        } catch (ReflectiveOperationException e) {
            throw new ExceptionInInitializerError(e);
        }
    }

    final AdmissionController owner;
    private final Request request;
    private final long grantedAtNanos;
    @SuppressWarnings("unused") // set through RELEASED
    private volatile boolean released;

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

    /** True for the one call that releases it; a release without the owner's lock must not count twice. */
    boolean markReleased() {
        return RELEASED.compareAndSet(this, false, true);
    }

    /** How long the request waited for this permit, for {@code Server-Timing} and the queue-wait meter. */
    public long queueWaitNanos() {
        return Math.max(0, grantedAtNanos - request.arrivalNanos());
    }
}
