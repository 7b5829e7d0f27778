package io.infergate.core.config;

import java.time.Duration;

/**
 * The four distinct clocks of an exchange, so an error can say which layer was slow:
 * connecting (TCP and TLS), waiting for the response head, silence between body chunks,
 * and the whole request.
 */
public record Timeouts(Duration connect, Duration firstByte, Duration streamIdle, Duration total) {

    public static final Timeouts DEFAULTS = new Timeouts(
            Duration.ofSeconds(10), Duration.ofSeconds(300), Duration.ofSeconds(120), Duration.ofSeconds(600));
}
