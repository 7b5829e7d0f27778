package io.infergate.sim;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * {@link ColdStartMode#REFUSE}: keeps the port closed while the model loads and open once it is ready.
 * Nothing can wake a closed port, so falling asleep restarts the replica at once: the port closes
 * (dropping its connections) and reopens after the load time. Runs on its own thread, because opening
 * and closing a listener waits.
 */
final class RefuseModeDriver implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(RefuseModeDriver.class);

    private final ColdStart coldStart;
    private final Listener listener;
    private final ScheduledExecutorService timer;

    RefuseModeDriver(ColdStart coldStart, Listener listener, ScheduledExecutorService timer) {
        this.coldStart = coldStart;
        this.listener = listener;
        this.timer = timer;
    }

    void start() {
        timer.execute(this::tick);
    }

    private void tick() {
        ColdStart.Phase phase = coldStart.phase();
        if (phase == ColdStart.Phase.ASLEEP) {
            log.info("idle: restarting, port {} closed while the model loads", listener.port());
            phase = coldStart.wake();
        }
        try {
            if (phase == ColdStart.Phase.READY) {
                listener.open();
            } else {
                listener.shut();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        } catch (RuntimeException e) {
            log.warn("could not reopen port {}, retrying: {}", listener.port(), e.toString());
            timer.schedule(this::tick, 100, TimeUnit.MILLISECONDS);
            return;
        }
        long next = coldStart.nanosUntilNextChange();
        if (next >= 0) {
            timer.schedule(this::tick, Math.max(next, TimeUnit.MILLISECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
        }
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
