package io.infergate.server;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import sun.misc.Signal;

import java.util.concurrent.CountDownLatch;

/**
 * SIGTERM and SIGINT start a graceful drain; the process exits 0 when it is done. A JVM shutdown
 * hook could not choose the exit status, which orchestrators read.
 */
final class ShutdownSignals {

    private static final Logger log = LoggerFactory.getLogger(ShutdownSignals.class);
    private static final CountDownLatch TERMINATED = new CountDownLatch(1);

    /** Work that runs once, on the first terminating signal. */
    interface Drain {
        boolean run() throws Exception;
    }

    private ShutdownSignals() {}

    static void onTerminate(Drain drain) {
        Runnable once = new Runnable() {
            private boolean started;

            @Override
            public synchronized void run() {
                if (started) {
                    return;
                }
                started = true;
                Thread worker = new Thread(() -> {
                    try {
                        drain.run();
                    } catch (Exception e) {
                        log.error("drain failed", e);
                    } finally {
                        TERMINATED.countDown();
                    }
                }, "infergate-drain");
                worker.start();
            }
        };
        Signal.handle(new Signal("TERM"), signal -> once.run());
        Signal.handle(new Signal("INT"), signal -> once.run());
    }

    static int awaitTermination() throws InterruptedException {
        TERMINATED.await();
        log.info("stopped");
        return 0;
    }
}
