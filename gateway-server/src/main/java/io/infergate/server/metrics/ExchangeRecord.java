package io.infergate.server.metrics;

import io.netty.handler.codec.http.HttpHeaders;

/**
 * What one request did, stamped by its exchange as it goes (on the client's event loop, so without
 * locks) and read once at its end by the meters, the access log and {@code Server-Timing}. Times
 * are {@link io.infergate.core.Ticker} nanoseconds; a phase that did not happen stays unset. It holds
 * nothing secret: the path is kept without its query string, and no header but the two token counts.
 */
public final class ExchangeRecord {

    static final long UNSET = Long.MIN_VALUE;

    private final long startEpochMillis;
    private final long startNanos;
    private final String requestId;
    private final String method;
    private final String path;
    private final String route;

    private String upstream;
    private String endpoint;
    private int attempts;
    private int retries;
    /** The last attempt's connect time: 0 on a pooled connection, UNSET before any connection. */
    private long connectNanos = UNSET;
    private long requestSentNanos = UNSET;
    private long headReceivedNanos = UNSET;
    /** When the last attempt was over for the gateway: given up, or its held response judged. */
    private long attemptEndedNanos = UNSET;
    private long firstEventNanos = UNSET;
    private long endNanos = UNSET;
    private long promptTokens = -1;
    private long generatedTokens = -1;
    private long queueNanos;
    private final WaitTimes waits = new WaitTimes();
    private String tenant;
    private long bytesIn;
    private long bytesOut;
    private boolean fallback;
    private boolean recovered;
    private boolean stream;
    private int status;
    private String outcome;
    private String traceId;

    /** @param target the request target as the client sent it; only its path is kept */
    public ExchangeRecord(long startEpochMillis, long startNanos, String requestId, String method, String target,
                          String route) {
        this.startEpochMillis = startEpochMillis;
        this.startNanos = startNanos;
        this.requestId = requestId;
        this.method = method;
        this.path = RequestPath.of(target);
        this.route = route;
    }

    // ---- stamps, in the order an exchange makes them ------------------------------------------

    /** The client's whole body is in, {@code nowNanos}: the time before was the client's. */
    public void bodyReceived(long nowNanos) {
        waits.body(nowNanos - startNanos);
    }

    /** The request waited {@code nanos} for a warming endpoint (a cold start held it). */
    public void warmed(long nanos) {
        waits.warmed(nanos);
    }

    /** The request waited {@code nanos} for an open breaker's probe to be due. */
    public void heldForBreaker(long nanos) {
        waits.heldForBreaker(nanos);
    }

    /** An attempt goes to {@code endpoint} (its URL) of {@code upstream}; the per-attempt stamps start over. */
    public void attemptStarted(String upstream, String endpoint, long nowNanos) {
        waits.attemptStarted(nowNanos);
        this.upstream = upstream;
        this.endpoint = endpoint;
        attempts++;
        connectNanos = UNSET;
        requestSentNanos = UNSET;
        headReceivedNanos = UNSET;
        attemptEndedNanos = UNSET;
    }

    /** The attempt has its connection: {@code nanos} to open it, 0 when it came from the pool. */
    public void connected(long nanos) {
        connectNanos = nanos;
    }

    /** The whole request went to the upstream. */
    public void requestSent(long nowNanos) {
        requestSentNanos = nowNanos;
    }

    /** The attempt is over for the gateway: given up, or its held response judged and relayed. */
    public void attemptEnded(long nowNanos) {
        if (requestSentNanos != UNSET && attemptEndedNanos == UNSET) {
            attemptEndedNanos = nowNanos;
        }
    }

    /** The upstream's response head arrived. */
    public void headReceived(long nowNanos) {
        headReceivedNanos = nowNanos;
    }

    /** The head that goes to the client: TGI's token counts, when it gives them. */
    public void responseHead(HttpHeaders headers) {
        promptTokens = TokenHeaders.count(headers.get(TokenHeaders.PROMPT_TOKENS));
        generatedTokens = TokenHeaders.count(headers.get(TokenHeaders.GENERATED_TOKENS));
    }

    /** A stream's upstream event reached the client; only the first is kept. */
    public void eventRelayed(long nowNanos) {
        if (firstEventNanos == UNSET) {
            firstEventNanos = nowNanos;
        }
    }

    /** The exchange makes another attempt on the same upstream. */
    public void retried() {
        retries++;
    }

    /** The exchange is over. */
    public void finished(long nowNanos, int status, String outcome, boolean stream, boolean fallback, boolean recovered) {
        this.recovered = recovered;
        this.endNanos = nowNanos;
        this.status = status;
        this.outcome = outcome;
        this.stream = stream;
        this.fallback = fallback;
    }

    /** Body bytes: in from the client, out to the client. */
    public void bytes(long in, long out) {
        this.bytesIn = in;
        this.bytesOut = out;
    }

    // ---- reading ------------------------------------------------------------------------------
    public long startNanos() {
        return startNanos;
    }

    public long startEpochMillis() {
        return startEpochMillis;
    }

    public String requestId() {
        return requestId;
    }

    String method() {
        return method;
    }

    /** The request's path, without its query string. */
    public String path() {
        return path;
    }

    public String route() {
        return route;
    }

    /** The upstream of the last attempt; null before any. */
    public String upstream() {
        return upstream;
    }

    /** The endpoint URL of the last attempt; null before any. */
    public String endpoint() {
        return endpoint;
    }

    int attempts() {
        return attempts;
    }

    public int retries() {
        return retries;
    }

    public boolean fallback() {
        return fallback;
    }

    boolean recovered() {
        return recovered;
    }

    public boolean stream() {
        return stream;
    }

    public int status() {
        return status;
    }

    public String outcome() {
        return outcome;
    }

    long bytesIn() {
        return bytesIn;
    }

    long bytesOut() {
        return bytesOut;
    }

    /** The prompt's tokens, as the upstream's head says; -1 when unknown. */
    public long promptTokens() {
        return promptTokens;
    }

    /** The tokens the upstream's head says it generated; -1 when unknown. */
    public long generatedTokens() {
        return generatedTokens;
    }

    /** Waiting for admission; 0 for a request admitted at once or never admitted. */
    public long queueNanos() {
        return queueNanos;
    }

    /** The tenant asking, or null when the key was refused. */
    String tenant() {
        return tenant;
    }

    /** Who asked and how long they waited for admission. */
    public void admitted(String tenant, long queueNanos) {
        this.tenant = tenant;
        this.queueNanos = queueNanos;
    }

    public void identified(String tenant) {
        this.tenant = tenant;
    }

    /** The request's trace, when the gateway traces (for the log line). */
    public void traced(String traceId) {
        this.traceId = traceId;
    }

    String traceId() {
        return traceId;
    }

    /** The body's, the holds' and the earlier attempts' parts of the time. */
    WaitTimes waits() {
        return waits;
    }

    /** The last attempt's connect time, 0 for a pooled connection; UNSET without a connection. */
    long connectNanos() {
        return connectNanos;
    }

    /**
     * The last attempt's time with the upstream: from the request sent to its head (to its judgement when held back,
     * to its end when the gateway gave it up), or to {@code nowNanos} while no head came; 0 when never sent.
     */
    long upstreamNanos(long nowNanos) {
        if (requestSentNanos == UNSET) {
            return 0;
        }
        long end = attemptEndedNanos != UNSET ? attemptEndedNanos : headReceivedNanos != UNSET ? headReceivedNanos : nowNanos;
        return end - requestSentNanos;
    }

    /** From the request's arrival to the upstream's response head; UNSET without one. */
    long firstByteNanos() {
        return headReceivedNanos == UNSET ? UNSET : headReceivedNanos - startNanos;
    }

    /** From the request's arrival to the first upstream event relayed; UNSET when none was. */
    public long firstEventNanos() {
        return firstEventNanos == UNSET ? UNSET : firstEventNanos - startNanos;
    }

    /** From the request's arrival to {@code nowNanos}. */
    long elapsedNanos(long nowNanos) {
        return nowNanos - startNanos;
    }

    /** From the request's arrival to its end; once {@link #finished}. */
    public long totalNanos() {
        return endNanos - startNanos;
    }
}
