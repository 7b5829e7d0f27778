package io.infergate.core.config;

import java.time.Duration;

/**
 * HTTP/2 towards clients: how much one connection may ask of the gateway at once. HTTP/1.1 is not
 * affected by any of it.
 *
 * @param maxConcurrentStreams streams one connection may have open at once (SETTINGS_MAX_CONCURRENT_STREAMS)
 * @param maxHeaderListBytes   the largest header list a stream may send, CONTINUATION frames included
 *                             (SETTINGS_MAX_HEADER_LIST_SIZE); past it the connection ends
 * @param maxResets            streams a client may reset within {@code resetWindow} before its
 *                             connection ends with {@code GOAWAY ENHANCE_YOUR_CALM} (rapid reset)
 * @param resetWindow          the window {@code maxResets} is counted over
 */
public record Http2Config(int maxConcurrentStreams, int maxHeaderListBytes, int maxResets, Duration resetWindow) {

    public static final Http2Config DEFAULTS = new Http2Config(100, 16 * 1024, 200, Duration.ofSeconds(30));
}
