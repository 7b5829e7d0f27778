package io.infergate.server.logging;

import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import io.infergate.core.config.ServerConfig.LogFormat;
import org.slf4j.ILoggerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts {@code server.logFormat} into effect: logback.xml writes the application log as text on
 * stderr through the appender {@value #APPENDER}; for {@code json} that appender is replaced by one
 * with a {@link JsonLineEncoder} on the same stream. The access log does not go through logback and
 * keeps its form.
 */
public final class ApplicationLog {

    static final String APPENDER = "STDERR";

    private ApplicationLog() {}

    /** Called once the config is read and before the gateway starts, so that its first line is in the format. */
    public static void use(LogFormat format) {
        if (format == LogFormat.TEXT) {
            return; // logback.xml's own
        }
        ILoggerFactory factory = LoggerFactory.getILoggerFactory();
        if (!(factory instanceof LoggerContext context)) {
            return; // another SLF4J binding: its own configuration decides
        }
        ch.qos.logback.classic.Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        Appender<ILoggingEvent> text = root.getAppender(APPENDER);
        if (!(text instanceof ConsoleAppender<ILoggingEvent> console)) {
            root.warn("server.logFormat: {} not applied: the logback configuration in use has no console appender {}",
                    format.configName(), APPENDER);
            return;
        }
        JsonLineEncoder encoder = new JsonLineEncoder();
        encoder.setContext(context);
        encoder.start();
        ConsoleAppender<ILoggingEvent> json = new ConsoleAppender<>();
        json.setContext(context);
        json.setName(APPENDER);
        json.setTarget(console.getTarget());
        json.setEncoder(encoder);
        json.start();
        root.addAppender(json);
        root.detachAppender(console);
        console.stop();
    }
}
