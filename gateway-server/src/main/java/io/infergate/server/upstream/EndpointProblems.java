package io.infergate.server.upstream;

import io.infergate.core.error.GatewayError;
import io.infergate.core.upstream.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.CertificateException;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What is wrong with each endpoint as the gateway meets it, logged once per endpoint and change,
 * never once per request: a connection that fails (a TLS failure with the certificate's subject
 * and what is wrong with it), an endpoint that refuses the gateway's credentials, a response that
 * fails (silence, a reset, a malformed response). Then nothing until the endpoint is fine again or
 * fails otherwise: a connection problem is over when a connection opens, a refusal when the
 * credentials are taken, a failed response only when a response comes whole (a connection that
 * opens says nothing about it). A request's own log stays at debug.
 */
public final class EndpointProblems {

    private static final Logger log = LoggerFactory.getLogger(EndpointProblems.class);

    /** The problems a connection that opens puts an end to. */
    private static final Set<GatewayError> CONNECTING =
            EnumSet.of(GatewayError.CONNECT_FAILED, GatewayError.CONNECT_TIMEOUT, GatewayError.TLS_FAILED);

    private static final Set<GatewayError> ANY = EnumSet.allOf(GatewayError.class);

    private final Map<Endpoint, GatewayError> lastFailure = new ConcurrentHashMap<>();

    /** A connection to {@code endpoint} failed with {@code cause}. */
    public void failed(Endpoint endpoint, GatewayError cause, Throwable why) {
        problem(endpoint, cause, reason(why));
    }

    /** {@code endpoint} has a problem of {@code cause}, said by {@code detail} (never a secret). */
    public void problem(Endpoint endpoint, GatewayError cause, String detail) {
        if (lastFailure.put(endpoint, cause) != cause) {
            log.warn("{}: {} ({}); logged again when this changes", endpoint.url(), cause.cause(), detail);
        }
    }

    /**
     * A request at {@code endpoint} (null before any) failed with {@code error}: an error of the
     * upstream layer is the endpoint's problem; loading is none, and the client's and the gateway's
     * own errors say nothing about it.
     */
    public void requestFailed(Endpoint endpoint, GatewayError error) {
        if (endpoint != null && error.layer() == GatewayError.Layer.UPSTREAM && error != GatewayError.MODEL_LOADING) {
            problem(endpoint, error, error.defaultMessage());
        }
    }

    /** A connection to {@code endpoint} opened: a connection problem logged before is over. */
    public void connected(Endpoint endpoint) {
        clear(endpoint, CONNECTING);
    }

    /** {@code endpoint} took the gateway's credentials: a refusal logged before is over. */
    public void accepted(Endpoint endpoint) {
        clear(endpoint, Set.of(GatewayError.UPSTREAM_AUTH));
    }

    /** {@code endpoint} answered a request whole: whatever was logged about it is over. */
    public void answeredWhole(Endpoint endpoint) {
        if (endpoint != null) {
            clear(endpoint, ANY);
        }
    }

    private void clear(Endpoint endpoint, Set<GatewayError> over) {
        if (lastFailure.isEmpty()) {
            return; // the usual case: nothing to look up
        }
        GatewayError was = lastFailure.get(endpoint);
        if (was != null && over.contains(was) && lastFailure.remove(endpoint, was)) {
            log.info("{}: fine again after {}", endpoint.url(), was.cause());
        }
    }

    /** A certificate's own complaint when there is one (it names the certificate), else the innermost message. */
    private static String reason(Throwable why) {
        Throwable inner = why;
        for (Throwable cause = why; cause != null; cause = cause.getCause() == cause ? null : cause.getCause()) {
            if (cause instanceof CertificateException) {
                return cause.getMessage();
            }
            inner = cause;
        }
        return inner.getMessage() == null ? inner.getClass().getSimpleName() : inner.getMessage();
    }
}
