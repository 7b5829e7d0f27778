package io.infergate.core.upstream;

import io.infergate.core.config.EndpointUrl;
import io.infergate.core.config.TlsConfig;

import java.util.concurrent.atomic.AtomicInteger;

/**
 * One base URL and the state that belongs to it. Two routes naming the same URL with the same TLS
 * settings share one instance, so they share its connections and, later, its breaker and load.
 */
public final class Endpoint {

    private final EndpointUrl url;
    private final TlsConfig tls;
    private final AtomicInteger inFlight = new AtomicInteger();

    public Endpoint(EndpointUrl url, TlsConfig tls) {
        this.url = url;
        this.tls = tls;
    }

    public EndpointUrl url() {
        return url;
    }

    public TlsConfig tls() {
        return tls;
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

    @Override
    public String toString() {
        return url.toString();
    }
}
