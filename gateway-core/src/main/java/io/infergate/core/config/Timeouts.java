package io.infergate.core.config;

import java.time.Duration;

/**
 * The distinct clocks of an exchange, so an error can say which layer was slow: connecting (TCP
 * and TLS), waiting for the response head, silence between body chunks, and the whole request.
 * {@code firstToken}, when set, bounds a stream's wait from its head to its first event; null: off.
 */
public record Timeouts(Duration connect, Duration firstByte, Duration streamIdle, Duration total, Duration firstToken) {

    public static final Timeouts DEFAULTS = new Timeouts(
            Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofSeconds(120), Duration.ofSeconds(600), null);

    public Timeouts(Duration connect, Duration firstByte, Duration streamIdle, Duration total) {
        this(connect, firstByte, streamIdle, total, null);
    }
}
