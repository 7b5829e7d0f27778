package io.infergate.core.error;

/**
 * Every response the gateway makes itself, in one table: the cause named in
 * {@code X-Gateway-Error} and the metric tag, the HTTP status, and the layer that failed, so an
 * operator can tell a slow model from a slow network from a bad request at a glance.
 */
public enum GatewayError implements Ending {
    CONNECT_TIMEOUT(502, Layer.UPSTREAM, "no connection to the upstream in time"),
    CONNECT_FAILED(502, Layer.UPSTREAM, "could not connect to the upstream"),
    TLS_FAILED(502, Layer.UPSTREAM, "the TLS handshake with the upstream failed: its certificate is not trusted, or names another host"),
    FIRST_BYTE_TIMEOUT(504, Layer.UPSTREAM, "the upstream sent no response head in time"),
    FIRST_TOKEN_TIMEOUT(504, Layer.UPSTREAM, "the upstream's stream sent no event in time"),
    STREAM_IDLE_TIMEOUT(504, Layer.UPSTREAM, "the upstream went silent mid-response"),
    MODEL_LOADING(503, Layer.UPSTREAM, "the model is still loading"),
    UPSTREAM_AUTH(502, Layer.UPSTREAM, "the upstream refused the gateway's credentials for it"),
    UPSTREAM_RESET(502, Layer.UPSTREAM, "the upstream closed the connection before the response completed"),
    UPSTREAM_PROTOCOL(502, Layer.UPSTREAM, "the upstream's response was malformed"),
    RECOVERY_DIVERGED(502, Layer.UPSTREAM, "the stream broke, and the answer generated again to continue it differs"
            + " from what was already sent"),
    DEADLINE_EXCEEDED(504, Layer.GATEWAY, "the request's total deadline ran out"),
    SHED_OVERLOAD(429, Layer.GATEWAY, "the request could not finish in time under the current load"),
    QUEUE_FULL(429, Layer.GATEWAY, "the route's queue is full"),
    RATE_LIMITED(429, Layer.CLIENT, "the tenant's rate limit is exhausted"),
    BREAKER_OPEN(502, Layer.GATEWAY, "every endpoint's circuit breaker is open"),
    SHUTDOWN(503, Layer.GATEWAY, "the gateway is shutting down"),
    STORE_UNAVAILABLE(503, Layer.GATEWAY, "the shared store cannot be reached"),
    UNAUTHORIZED(401, Layer.CLIENT, "missing or unknown API key"),
    FORBIDDEN(403, Layer.CLIENT, "the route is not allowed for this tenant"),
    NO_ROUTE(404, Layer.CLIENT, "no route matches the request"),
    UNKNOWN_MODEL(404, Layer.CLIENT, "no route serves the model the request names"),
    JOB_NOT_FOUND(404, Layer.CLIENT, "no such job for this key"),
    JOB_NOT_FINISHED(409, Layer.CLIENT, "the job has not finished"),
    JOB_GONE(410, Layer.CLIENT, "the job was cancelled, or its result expired"),
    JOB_LOST(410, Layer.CLIENT, "this gateway issued the job to this key but no longer knows it: dropped to make room,"
            + " lost in a restart, or held by another instance"),
    BAD_REQUEST(400, Layer.CLIENT, "malformed request"),
    REQUEST_TIMEOUT(408, Layer.CLIENT, "the request head did not arrive in time"),
    CLIENT_TIMEOUT(408, Layer.CLIENT, "the request body did not arrive in time"),
    CLIENT_WRITE_TIMEOUT(408, Layer.CLIENT, "the client did not read the response in time"),
    PAYLOAD_TOO_LARGE(413, Layer.CLIENT, "the request body is over the limit"),
    HEADERS_TOO_LARGE(431, Layer.CLIENT, "the request headers are over the limit");

    /** Where the failure happened: the caller, the gateway's own policy, or the upstream. */
    public enum Layer {
        CLIENT, GATEWAY, UPSTREAM;

        public String tag() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    private final int status;
    private final Layer layer;
    private final String defaultMessage;
    private final String cause;

    GatewayError(int status, Layer layer, String defaultMessage) {
        this.status = status;
        this.layer = layer;
        this.defaultMessage = defaultMessage;
        this.cause = name().toLowerCase(java.util.Locale.ROOT);
    }

    public int status() {
        return status;
    }

    public Layer layer() {
        return layer;
    }

    /** The snake-case name used in {@code X-Gateway-Error}, the JSON body and metric tags. */
    public String cause() {
        return cause;
    }

    public String defaultMessage() {
        return defaultMessage;
    }

    @Override
    public String tag() {
        return cause;
    }

    /** A client-layer error: the client's own request or pace, never the endpoint's doing. */
    @Override
    public boolean byClient() {
        return layer == Layer.CLIENT;
    }
}
