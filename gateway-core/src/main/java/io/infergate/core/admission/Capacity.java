package io.infergate.core.admission;

import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;

/**
 * A route's capacity as admission reads it on every decision, so it follows breakers, warming and
 * learned limits. Its methods must be cheap and must not call back into the controller.
 */
public interface Capacity {

    /** Requests the route can have in flight now. */
    int slots();

    /**
     * Of the {@link #slots}, how many its endpoints have run at once without queueing inside
     * themselves. A learned limit probes above that; a request sent in a slot past it may wait a
     * whole service time inside the endpoint before its own begins.
     */
    int provenSlots();

    /** Whether the slots are still growing towards a capacity not found yet: a floor, not a measure. */
    boolean growing();

    /** A capacity that is what it says: every slot proven, never growing (a fixed limit). */
    static Capacity of(IntSupplier slots) {
        return of(slots, slots, () -> false);
    }

    /** A capacity read from three suppliers, one per question. */
    static Capacity of(IntSupplier slots, IntSupplier provenSlots, BooleanSupplier growing) {
        return new Capacity() {
            @Override
            public int slots() {
                return slots.getAsInt();
            }

            @Override
            public int provenSlots() {
                return provenSlots.getAsInt();
            }

            @Override
            public boolean growing() {
                return growing.getAsBoolean();
            }
        };
    }
}
