package io.infergate.core.upstream;

import io.infergate.core.config.EndpointUrl;
import io.infergate.core.config.TlsConfig;
import io.infergate.core.resilience.CircuitBreaker;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One base URL and the state that belongs to it. Two routes naming the same URL with the same TLS
 * settings share one instance, so they share its connections, its breaker, its warming state and its load.
 */
public final class Endpoint {

    private final EndpointUrl url;
    private final TlsConfig tls;
    private final CircuitBreaker breaker;
    private final Warming warming;
    private final EndpointLoad load = new EndpointLoad();
    private final AtomicInteger inFlight = new AtomicInteger();
    private volatile boolean retired;

    public Endpoint(EndpointUrl url, TlsConfig tls, CircuitBreaker breaker, Warming warming) {
        this.url = url;
        this.tls = tls;
        this.breaker = breaker;
        this.warming = warming;
    }

    public EndpointUrl url() {
        return url;
    }

    public TlsConfig tls() {
        return tls;
    }

    /** The endpoint's breaker, shared by every route that uses it. */
    public CircuitBreaker breaker() {
        return breaker;
    }

    /** Whether the endpoint is loading its model, and the requests waiting for it. */
    public Warming warming() {
        return warming;
    }

    /** What the endpoint last reported about its load. */
    public EndpointLoad load() {
        return load;
    }

    public int inFlight() {
        return inFlight.get();
    }

    public void requestStarted() {
        inFlight.incrementAndGet();
    }

    public void requestEnded() {
        inFlight.decrementAndGet();
    }

    /**
     * Whether a reload removed the endpoint: no route sends it new requests, those in flight finish,
     * and its pooled connections close instead of waiting for a next request.
     */
    public boolean retired() {
        return retired;
    }

    public void retire() {
        retired = true;
    }

    @Override
    public String toString() {
        return url.toString();
    }
}
