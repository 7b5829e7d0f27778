package io.infergate.server.store;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Whether the shared store answers, as the last command or probe found. An outage is logged once
 * when it begins and once when it ends, with what was decided without the store meanwhile, never
 * once per request; a store never reached yet is logged at its first failure, with its cause (a
 * refused connection, an untrusted certificate), so a gateway that starts unready says why.
 */
final class StoreHealth {

    private static final Logger log = LoggerFactory.getLogger(StoreHealth.class);

    private final String where;
    private final String whileDown;
    private final AtomicBoolean up = new AtomicBoolean();
    private final AtomicBoolean firstFailureLogged = new AtomicBoolean();
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
        } else if (!everUp && firstFailureLogged.compareAndSet(false, true)) {
            log.warn("shared store at {} cannot be reached ({}); {} until it answers", where, describe(cause), whileDown);
        }
    }

    /** A rate-limit decision was made without the store. */
    void decidedWithout() {
        decidedWithout.incrementAndGet();
    }

    /** The failure and, when it is another, its root cause: "Unable to connect to ...: PKIX path building failed". */
    static String describe(Throwable cause) {
        Throwable root = cause;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = message(cause);
        return root == cause || message.contains(message(root)) ? message : message + ": " + message(root);
    }

    private static String message(Throwable error) {
        return error.getMessage() == null ? error.getClass().getSimpleName() : error.getMessage();
    }
}
