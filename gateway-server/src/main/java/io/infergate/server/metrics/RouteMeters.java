package io.infergate.server.metrics;

import io.micrometer.core.instrument.Timer;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A route's in-flight gauge and the meters of its last completion: most requests end as the one
 * before (same upstream, {@code 200}, {@code success}), so they find their meters without building
 * a tag or a key. Shared by the event loops; each {@link Completion} is immutable, so a racing
 * read sees a whole one, at worst an older one that is looked up again.
 */
final class RouteMeters {
    final AtomicInteger inFlight;
    final Map<String, Timer> queueWaitByTier = new ConcurrentHashMap<>();
    Completion last;

    RouteMeters(AtomicInteger inFlight) {
        this.inFlight = inFlight;
    }
}
