package io.infergate.core.config;

import java.nio.file.Path;

/**
 * The access log: one JSON line per request, written off the event loops by a thread of its own.
 *
 * @param enabled whether requests are logged at all
 * @param file    the file lines are appended to; null: stdout. It is opened in append mode, so after
 *                logrotate's {@code copytruncate} the next lines start the emptied file
 * @param queue   requests whose lines may wait for the writer; past that, lines are dropped and counted
 */
public record AccessLogConfig(boolean enabled, Path file, int queue) {

    public static final int MAX_QUEUE = 1 << 20;

    /** On stdout; at 16,384 queued a writer that stalls for a quarter second at 60,000 requests/s loses nothing. */
    public static final AccessLogConfig DEFAULTS = new AccessLogConfig(true, null, 16_384);

    public AccessLogConfig {
        if (queue < 1 || queue > MAX_QUEUE) {
            throw new IllegalArgumentException("queue: " + queue + " (expected: 1-" + MAX_QUEUE + ")");
        }
    }
}
