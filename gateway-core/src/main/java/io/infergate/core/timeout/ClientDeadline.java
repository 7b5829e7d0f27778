package io.infergate.core.timeout;

import java.math.BigDecimal;

/**
 * A client's own deadline, {@code X-Request-Timeout: <seconds>}: it may only shorten the route's
 * total timeout, never lengthen it, so a client cannot hold a slot longer than the operator allows.
 */
public final class ClientDeadline {

    public static final String HEADER = "x-request-timeout";

    private static final long MAX_SECONDS = 86_400;

    private ClientDeadline() {}

    /**
     * The total timeout for the request, in nanoseconds: the client's when it is a positive number
     * of seconds (decimals allowed) shorter than the route's, else the route's. A value that is not
     * such a number is ignored, as a header the gateway does not understand would be.
     */
    public static long totalNanos(String header, long routeTotalNanos) {
        if (header == null) {
            return routeTotalNanos;
        }
        try {
            BigDecimal seconds = new BigDecimal(header.trim());
            if (seconds.signum() <= 0 || seconds.compareTo(BigDecimal.valueOf(MAX_SECONDS)) > 0) {
                return routeTotalNanos;
            }
            long nanos = seconds.movePointRight(9).longValue();
            return Math.max(1, Math.min(nanos, routeTotalNanos));
        } catch (NumberFormatException notANumber) {
            return routeTotalNanos;
        }
    }
}
