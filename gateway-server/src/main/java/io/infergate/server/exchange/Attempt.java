package io.infergate.server.exchange;

import io.infergate.core.capacity.ConcurrencyLimit;
import io.infergate.core.error.GatewayError;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.server.upstream.ConnectionPool;
import io.infergate.server.upstream.EndpointProblems;
import io.infergate.server.upstream.UpstreamConnection;
import io.infergate.server.upstream.UpstreamListener;
import io.netty.channel.Channel;
import io.netty.util.concurrent.Future;

/**
 * One try of a request at one endpoint: the endpoint's in-flight slot and its breaker's one
 * verdict, the connection from the event loop's pool (read only while the client keeps up), whether
 * a response head came, and a response held back for judging. {@link #close} drops all of it at
 * once: the connection goes back to the pool only after a clean, complete exchange, since anything
 * else leaves it in an unknown state.
 */
final class Attempt {

    final Upstream upstream;
    final Endpoint endpoint;
    /** Whether the plan had moved past the route's first upstream: this attempt is a fallback. */
    final boolean onFallback;
    /** The route's limit for the endpoint, which hears how the attempt went. */
    final ConcurrencyLimit limit;
    final long startedNanos;
    private final ConnectionPool pool;
    private UpstreamConnection connection;
    private boolean requestSent;
    private boolean keepAlive;
    private boolean readPending;
    private boolean verdictGiven;
    private boolean headSeen;
    /** The response head's status; 0 before one came. */
    private int status;
    private boolean skippingInterim;
    private HeldResponse held;
    private boolean closed;

    /** Takes a slot of {@code endpoint}'s in-flight count, given back by {@link #close}. */
    Attempt(Upstream upstream, Endpoint endpoint, ConcurrencyLimit limit, long startedNanos, boolean onFallback,
            ConnectionPool pool) {
        this.upstream = upstream;
        this.endpoint = endpoint;
        this.limit = limit;
        this.startedNanos = startedNanos;
        this.onFallback = onFallback;
        this.pool = pool;
        endpoint.requestStarted();
        limit.started(endpoint.inFlight());
    }

    Future<UpstreamConnection> connect(UpstreamListener listener, long connectTimeoutMillis) {
        return pool.acquire(endpoint, listener, connectTimeoutMillis);
    }

    /** A connection that came after this attempt was over goes back unused. */
    void returnUnused(UpstreamConnection late) {
        pool.release(late);
    }

    UpstreamConnection attach(UpstreamConnection acquired) {
        connection = acquired;
        return acquired;
    }

    boolean connected() {
        return connection != null;
    }

    Channel channel() {
        return connection.channel();
    }

    /** Pushes what was written on to the upstream. */
    void flush() {
        if (connection != null) {
            connection.channel().flush();
        }
    }

    void requestSent() {
        requestSent = true;
    }

    /**
     * Whether the endpoint took the gateway's credentials: a {@code 401} or {@code 403} to the
     * upstream's own token is the gateway's misconfiguration, never passed to a client as its own.
     */
    boolean credentialsTaken(int code, EndpointProblems problems) {
        if (code == 401 || code == 403) {
            problems.problem(endpoint, GatewayError.UPSTREAM_AUTH,
                    code + " to the token from " + upstream.auth().bearerEnv());
            return false;
        }
        problems.accepted(endpoint);
        return true;
    }

    /** The endpoint's breaker hears how the attempt went; only the first verdict counts. */
    void verdict(BreakerVerdict verdict) {
        if (verdictGiven) {
            return;
        }
        verdictGiven = true;
        switch (verdict) {
            case SUCCESS -> endpoint.breaker().onSuccess();
            case FAILURE -> endpoint.breaker().onFailure();
            case NONE -> endpoint.breaker().onIgnored();
        }
    }

    /** A response head with {@code status} arrived; {@code reusable}: its connection may serve another request after it. */
    void headArrived(int status, boolean reusable) {
        headSeen = true;
        this.status = status;
        keepAlive = reusable;
    }

    boolean headSeen() {
        return headSeen;
    }

    int status() {
        return status;
    }

    /** An interim response (1xx) arrived: it and its empty content are dropped. */
    void skipInterim() {
        skippingInterim = true;
    }

    /** Whether {@code lastOfIt} (true for the interim response's last content) is still being skipped. */
    boolean skipping(boolean lastOfIt) {
        boolean skip = skippingInterim;
        skippingInterim = skip && !lastOfIt;
        return skip;
    }

    void hold(HeldResponse response) {
        held = response;
    }

    HeldResponse held() {
        return held;
    }

    /** The held response, now the caller's. */
    HeldResponse takeHeld() {
        HeldResponse response = held;
        held = null;
        return response;
    }

    /** The client took a batch of the response: read on, or wait until it can take more. */
    void readOn(boolean clientWritable) {
        if (clientWritable) {
            connection.channel().read();
        } else {
            readPending = true;
        }
    }

    /** The client drained its buffer: the read paused for it resumes. */
    void clientDrained() {
        if (readPending) {
            readPending = false;
            connection.channel().read();
        }
    }

    /**
     * Ends the attempt: no verdict yet means none, a held response is dropped, the connection goes
     * back to the pool when {@code complete} (the whole exchange went cleanly), else closes.
     */
    void close(boolean complete) {
        if (closed) {
            return;
        }
        closed = true;
        verdict(BreakerVerdict.NONE);
        if (held != null) {
            held.release();
            held = null;
        }
        if (connection != null) {
            if (complete && requestSent && keepAlive) {
                pool.release(connection);
            } else {
                pool.discard(connection);
            }
            connection = null;
        }
        endpoint.requestEnded();
    }
}
