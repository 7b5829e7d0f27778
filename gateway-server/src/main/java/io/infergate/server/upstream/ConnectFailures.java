package io.infergate.server.upstream;

import io.infergate.core.error.GatewayError;
import io.infergate.core.upstream.Endpoint;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.security.cert.CertificateException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Why connections to each endpoint fail, logged once per endpoint and change, never once per
 * request: the first TLS failure with its reason (the certificate's subject and what is wrong with
 * it), then nothing until the endpoint connects again or fails otherwise. A request's own log stays
 * at debug.
 */
public final class ConnectFailures {

    private static final Logger log = LoggerFactory.getLogger(ConnectFailures.class);

    private final Map<Endpoint, GatewayError> lastFailure = new ConcurrentHashMap<>();

    /** A connection to {@code endpoint} failed with {@code cause}. */
    public void failed(Endpoint endpoint, GatewayError cause, Throwable why) {
        if (lastFailure.put(endpoint, cause) != cause) {
            log.warn("{}: {} ({}); logged again when this changes", endpoint.url(), cause.cause(), reason(why));
        }
    }

    /** A connection to {@code endpoint} succeeded: a failure logged before is over. */
    public void connected(Endpoint endpoint) {
        GatewayError was = lastFailure.remove(endpoint);
        if (was != null) {
            log.info("{}: connects again after {}", endpoint.url(), was.cause());
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
