package io.infergate.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.io.ByteArrayOutputStream;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * Every log line of the process while open, each as it would be printed (message and any stack
 * trace): the gateway's own loggers at DEBUG, and every line on stdout, where the access log writes.
 * Restores the levels and stdout on close. Stdout can be held, as by a reader that stopped reading.
 */
public final class LogCapture implements AutoCloseable {

    /** The logger name given to the lines on stdout. */
    public static final String STDOUT = "stdout";
    private static final String GATEWAY = "io.infergate";

    /** One captured line. */
    public record Line(String logger, String text) {}

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger gateway = (Logger) LoggerFactory.getLogger(GATEWAY);
    private final Level gatewayLevel = gateway.getLevel();
    private final PrintStream stdout = System.out;
    private final StdoutLines stdoutLines = new StdoutLines();
    private final AppenderBase<ILoggingEvent> appender = new AppenderBase<>() {
        @Override
        protected void append(ILoggingEvent event) {
            StringBuilder text = new StringBuilder(event.getFormattedMessage());
            IThrowableProxy thrown = event.getThrowableProxy();
            if (thrown != null) {
                text.append('\n').append(ThrowableProxyUtil.asString(thrown));
            }
            lines.add(new Line(event.getLoggerName(), text.toString()));
        }
    };

    private LogCapture() {
        appender.setContext(root.getLoggerContext());
        appender.setName("capture");
        appender.start();
        root.addAppender(appender);
        gateway.setLevel(Level.DEBUG);
        System.setOut(new PrintStream(stdoutLines, true, StandardCharsets.UTF_8));
    }

    public static LogCapture open() {
        return new LogCapture();
    }

    public List<Line> all() {
        return List.copyOf(lines);
    }

    /** The access log's lines so far: every line on stdout. */
    public List<String> accessLines() {
        return lines.stream().filter(l -> l.logger().equals(STDOUT)).map(Line::text).toList();
    }

    /** From now on a write to stdout waits until {@link #releaseStdout}. */
    public void holdStdout() {
        stdoutLines.hold();
    }

    /** Whether a write to stdout is waiting on the hold, within {@code seconds}. */
    public boolean awaitStdoutHeld(long seconds) throws InterruptedException {
        return stdoutLines.waiting.await(seconds, TimeUnit.SECONDS);
    }

    public void releaseStdout() {
        stdoutLines.release();
    }

    @Override
    public void close() {
        releaseStdout();
        System.setOut(stdout);
        root.detachAppender(appender);
        gateway.setLevel(gatewayLevel);
        appender.stop();
    }

    /** Bytes written to stdout, cut into lines. */
    private final class StdoutLines extends OutputStream {
        private final ByteArrayOutputStream partial = new ByteArrayOutputStream();
        private volatile CountDownLatch released = new CountDownLatch(0);
        private final CountDownLatch waiting = new CountDownLatch(1);

        void hold() {
            released = new CountDownLatch(1);
        }

        void release() {
            released.countDown();
        }

        @Override
        public void write(int b) {
            write(new byte[] {(byte) b}, 0, 1);
        }

        @Override
        public void write(byte[] bytes, int offset, int length) {
            CountDownLatch hold = released;
            if (hold.getCount() > 0) {
                waiting.countDown();
                try {
                    hold.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            synchronized (partial) {
                for (int i = offset; i < offset + length; i++) {
                    if (bytes[i] == '\n') {
                        lines.add(new Line(STDOUT, partial.toString(StandardCharsets.UTF_8)));
                        partial.reset();
                    } else {
                        partial.write(bytes[i]);
                    }
                }
            }
        }
    }
}
