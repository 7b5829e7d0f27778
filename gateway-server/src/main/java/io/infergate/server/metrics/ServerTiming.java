package io.infergate.server.metrics;

/**
 * The {@code Server-Timing} header of a response (W3C Server Timing), in milliseconds with at most
 * one decimal, so a client sees where its time went without asking an operator:
 * <ul>
 *   <li>{@code body}: the client sending its body, when that took a millisecond or more;</li>
 *   <li>{@code queue}: waiting for admission;</li>
 *   <li>{@code warm}: held while an endpoint started (a cold start), when it was;</li>
 *   <li>{@code breaker}: held until an open breaker's probe was due, when it was;</li>
 *   <li>{@code retry}: the earlier attempts and the backoffs between them, when there were;</li>
 *   <li>{@code connect}: opening the last attempt's connection, 0 for a pooled one;</li>
 *   <li>{@code upstream}: the last attempt, from the request sent to the response head (or, when no
 *       head came, to this response), 0 when the request was never sent;</li>
 *   <li>{@code total}: from the request's arrival until this head was sent.</li>
 * </ul>
 * The parts account for the total but for the gateway's own time, a fraction of a millisecond.
 * A stream whose head the gateway sends early, before it has even connected, gets only what is
 * known then: {@code total}.
 */
public final class ServerTiming {

    private static final long NANOS_PER_TENTH_MS = 100_000;
    private static final long NANOS_PER_MS = 1_000_000;

    private ServerTiming() {}

    /** For a head sent at {@code nowNanos}: the upstream's, or the gateway's own answer. */
    public static String of(ExchangeRecord record, long nowNanos) {
        long connect = record.connectNanos() == ExchangeRecord.UNSET ? 0 : record.connectNanos();
        StringBuilder header = new StringBuilder(72);
        optional(header, "body", record.waits().bodyNanos());
        entry(header, "queue", record.queueNanos()).append(", ");
        optional(header, "warm", record.waits().warmNanos());
        optional(header, "breaker", record.waits().breakerNanos());
        optional(header, "retry", record.waits().retryNanos());
        entry(header, "connect", connect).append(", ");
        entry(header, "upstream", record.upstreamNanos(nowNanos)).append(", ");
        return entry(header, "total", record.elapsedNanos(nowNanos)).toString();
    }

    /** For a stream's head sent before any upstream phase began. */
    public static String early(ExchangeRecord record, long nowNanos) {
        return entry(new StringBuilder(20), "total", record.elapsedNanos(nowNanos)).toString();
    }

    /** A part most requests do not have, told only when it took a millisecond or more. */
    private static void optional(StringBuilder header, String name, long nanos) {
        if (nanos >= NANOS_PER_MS) {
            entry(header, name, nanos).append(", ");
        }
    }

    private static StringBuilder entry(StringBuilder header, String name, long nanos) {
        header.append(name).append(";dur=");
        return millis(header, nanos);
    }

    /** Milliseconds rounded to a tenth, without a trailing {@code .0}: {@code 12}, {@code 12.3}. */
    static StringBuilder millis(StringBuilder out, long nanos) {
        long tenths = (Math.max(0, nanos) + NANOS_PER_TENTH_MS / 2) / NANOS_PER_TENTH_MS;
        out.append(tenths / 10);
        if (tenths % 10 != 0) {
            out.append('.').append(tenths % 10);
        }
        return out;
    }
}
