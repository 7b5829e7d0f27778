package io.infergate.sim;

import io.netty.handler.codec.http.HttpHeaders;

import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Server-sent events as axum writes them: {@code data: <one-line JSON>\n\n} per event, and a
 * {@code :\n\n} comment whenever {@code keepAlive} passes without an event.
 */
final class SseWriter {

    private final Exchange exchange;
    private final long keepAliveNanos;
    private final Ticker ticker;
    private long lastWrite;
    private boolean silenced;

    SseWriter(Exchange exchange, Duration keepAlive, Ticker ticker) {
        this.exchange = exchange;
        this.keepAliveNanos = keepAlive.toNanos();
        this.ticker = ticker;
    }

    void open(HttpHeaders headers) {
        exchange.startStream(headers);
        lastWrite = ticker.nanoTime();
        armKeepAlive(keepAliveNanos);
    }

    void event(String data, boolean flush) {
        exchange.chunk("data: " + data + "\n\n", flush);
        lastWrite = ticker.nanoTime();
    }

    /** Bytes exactly as given, as if an event (used for the invalid-JSON fault). */
    void raw(String text) {
        exchange.chunk(text, true);
        lastWrite = ticker.nanoTime();
    }

    void flush() {
        exchange.flush();
    }

    void close() {
        exchange.endStream();
    }

    /** Stops the keep-alive comments too: a stalled stream sends nothing at all. */
    void silence() {
        silenced = true;
    }

    private void armKeepAlive(long delayNanos) {
        exchange.executor().schedule(this::keepAlive, Math.max(delayNanos, 1), TimeUnit.NANOSECONDS);
    }

    private void keepAlive() {
        if (exchange.ended() || silenced) {
            return;
        }
        long idle = ticker.nanoTime() - lastWrite;
        if (idle >= keepAliveNanos) {
            exchange.chunk(":\n\n", true);
            lastWrite = ticker.nanoTime();
            idle = 0;
        }
        armKeepAlive(keepAliveNanos - idle);
    }
}
