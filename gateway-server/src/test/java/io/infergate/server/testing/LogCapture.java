package io.infergate.server.testing;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.classic.spi.IThrowableProxy;
import ch.qos.logback.classic.spi.ThrowableProxyUtil;
import ch.qos.logback.core.AppenderBase;
import org.slf4j.LoggerFactory;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Every log line of the process while open, each as it would be printed (message and any stack
 * trace): the gateway's own loggers at DEBUG, the access log at INFO. Restores the levels on close.
 */
public final class LogCapture implements AutoCloseable {

    private static final String ACCESS = "infergate.access";
    private static final String GATEWAY = "io.infergate";

    /** One captured line. */
    public record Line(String logger, String text) {}

    private final List<Line> lines = new CopyOnWriteArrayList<>();
    private final Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    private final Logger access = (Logger) LoggerFactory.getLogger(ACCESS);
    private final Logger gateway = (Logger) LoggerFactory.getLogger(GATEWAY);
    private final Level accessLevel = access.getLevel();
    private final Level gatewayLevel = gateway.getLevel();
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
        access.setLevel(Level.INFO);
        gateway.setLevel(Level.DEBUG);
    }

    public static LogCapture open() {
        return new LogCapture();
    }

    public List<Line> all() {
        return List.copyOf(lines);
    }

    /** The access log's lines so far. */
    public List<String> accessLines() {
        return lines.stream().filter(l -> l.logger().equals(ACCESS)).map(Line::text).toList();
    }

    @Override
    public void close() {
        root.detachAppender(appender);
        access.setLevel(accessLevel);
        gateway.setLevel(gatewayLevel);
        appender.stop();
    }
}
