package io.infergate.server.upstream;

import io.infergate.core.config.TlsConfig;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SSLException;
import java.io.File;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client TLS contexts, one per distinct {@link TlsConfig}: the JDK trust store or a PEM bundle,
 * hostname verification always on unless {@code insecureSkipVerify} says otherwise, out loud.
 */
public final class TlsContexts {

    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);

    private final Map<TlsConfig, SslContext> contexts = new ConcurrentHashMap<>();

    public SslContext forConfig(TlsConfig config) {
        return contexts.computeIfAbsent(config, TlsContexts::build);
    }

    private static SslContext build(TlsConfig config) {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (config.insecureSkipVerify()) {
            log.warn("TLS certificate verification is OFF for an upstream (insecureSkipVerify: true); "
                    + "anyone on the path can read and change its traffic");
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            builder.endpointIdentificationAlgorithm("HTTPS");
            if (config.caFile() != null) {
                builder.trustManager(new File(config.caFile()));
            }
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new UncheckedIOException("cannot build a TLS context for " + config, e);
        }
    }
}
