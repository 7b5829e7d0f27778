package io.infergate.server.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the shared store answers, as the last command or probe found. An outage is logged once
 * when it begins and once when it ends, with what was decided without the store meanwhile, never
 * once per request.
 */
final class StoreHealth {

    private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);

    private final String where;
    private final String whileDown;
    private final AtomicBoolean up = new AtomicBoolean();
    private final AtomicLong decidedWithout = new AtomicLong();
    private volatile long downSince = System.nanoTime();
    private volatile boolean everUp;

    /**
     * @param where     the store's address, for the log
     * @param whileDown what the gateway does while the store is down, for the log
     */
    StoreHealth(String where, String whileDown) {
        this.where = where;
        this.whileDown = whileDown;
    }

    boolean isUp() {
        return up.get();
    }

    void up() {
        if (up.compareAndSet(false, true)) {
            if (everUp) {
                log.info("shared store at {} answers again after {} ms; {} rate-limit decisions were made without it",
                        where, (System.nanoTime() - downSince) / 1_000_000, decidedWithout.getAndSet(0));
            } else {
                log.info("shared store at {} connected", where);
            }
            everUp = true;
        }
    }

    void down(Throwable cause) {
        if (up.compareAndSet(true, false)) {
            downSince = System.nanoTime();
            log.warn("shared store at {} unreachable ({}); {} until it answers again", where, describe(cause), whileDown);
        }
    }

    /** A rate-limit decision was made without the store. */
    void decidedWithout() {
        decidedWithout.incrementAndGet();
    }

    static String describe(Throwable cause) {
        return cause.getMessage() == null ? cause.getClass().getSimpleName() : cause.getMessage();
    }
}
