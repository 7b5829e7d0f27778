package io.infergate.core.config;

import java.time.Duration;

/**
 * Keeping streams alive through load balancers that close quiet connections (60 s on AWS ALB and
 * nginx, 100 s on Cloudflare): a {@code : keep-alive} comment after {@code interval} without a byte
 * to the client. With {@code earlyHeaders}, a request that asks for a stream gets {@code 200} and the
 * event-stream headers at once, and heartbeats while the gateway connects and waits.
 */
public record HeartbeatConfig(Duration interval, boolean earlyHeaders) {

    public static final HeartbeatConfig DEFAULTS = new HeartbeatConfig(Duration.ofSeconds(15), false);
}
