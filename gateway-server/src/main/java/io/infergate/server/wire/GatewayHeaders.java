package io.infergate.server.wire;

import io.netty.util.AsciiString;

/** Header names the gateway reads or writes itself. */
public final class GatewayHeaders {

    public static final AsciiString X_REQUEST_ID = AsciiString.cached("x-request-id");
    public static final AsciiString X_GATEWAY_ERROR = AsciiString.cached("x-gateway-error");
    static final AsciiString X_FORWARDED_FOR = AsciiString.cached("x-forwarded-for");
    static final AsciiString X_FORWARDED_PROTO = AsciiString.cached("x-forwarded-proto");
    static final AsciiString X_FORWARDED_HOST = AsciiString.cached("x-forwarded-host");
    static final AsciiString X_ACCEL_BUFFERING = AsciiString.cached("x-accel-buffering");
    public static final AsciiString X_GATEWAY_UPSTREAM = AsciiString.cached("x-gateway-upstream");
    public static final AsciiString X_GATEWAY_FALLBACK = AsciiString.cached("x-gateway-fallback");
    /** Where the request's time went, per phase (W3C Server Timing); see {@code ServerTiming}. */
    public static final AsciiString SERVER_TIMING = AsciiString.cached("server-timing");
    /** Hugging Face's: how long its proxy may hold a request while a replica scales up from zero. */
    public static final AsciiString X_SCALE_UP_TIMEOUT = AsciiString.cached("x-scale-up-timeout");

    private GatewayHeaders() {}

    static final AsciiString RATELIMIT_POLICY = AsciiString.cached("ratelimit-policy");
    static final AsciiString RATELIMIT = AsciiString.cached("ratelimit");

    /** The IETF draft's {@code RateLimit-Policy} and {@code RateLimit}, from a tenant's rate-limit decision. */
    public static void rateLimit(io.netty.handler.codec.http.HttpHeaders headers, io.infergate.core.ratelimit.Decision decision) {
        if (decision.rateLimitPolicy() != null) {
            headers.set(RATELIMIT_POLICY, decision.rateLimitPolicy());
        }
        if (decision.rateLimit() != null) {
            headers.set(RATELIMIT, decision.rateLimit());
        }
    }
}
