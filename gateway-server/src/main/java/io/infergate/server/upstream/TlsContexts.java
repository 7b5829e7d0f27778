package io.infergate.server.upstream;

import io.infergate.core.config.TlsConfig;
import io.infergate.core.upstream.Endpoint;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.util.InsecureTrustManagerFactory;
import io.netty.util.NetUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import javax.net.ssl.SNIHostName;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.io.UncheckedIOException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Client TLS contexts, one per distinct {@link TlsConfig}: the JDK trust store or a PEM bundle,
 * hostname verification always on unless {@code insecureSkipVerify} says otherwise, out loud.
 */
public final class TlsContexts {

    private static final Logger log = LoggerFactory.getLogger(TlsContexts.class);

    private final Map<TlsConfig, SslContext> contexts = new ConcurrentHashMap<>();

    /** Builds the contexts of every https endpoint now, so a bad CA file or a warning shows at start. */
    public void prepare(Collection<Endpoint> endpoints) {
        endpoints.stream().filter(e -> e.url().secure()).forEach(e -> contexts.computeIfAbsent(e.tls(), TlsContexts::build));
    }

    /** A client TLS handler for {@code endpoint}, sending its host name as SNI. */
    SslHandler newHandler(Endpoint endpoint, ByteBufAllocator alloc) {
        String host = endpoint.url().socketHost();
        SslHandler handler = contexts.computeIfAbsent(endpoint.tls(), TlsContexts::build)
                .newHandler(alloc, host, endpoint.url().port());
        if (!NetUtil.isValidIpV4Address(host) && !NetUtil.isValidIpV6Address(host)) {
            // The JDK leaves out SNI for single-label names (localhost, a cluster service name);
            // endpoints behind shared front ends need it whatever the name looks like.
            SSLEngine engine = handler.engine();
            SSLParameters parameters = engine.getSSLParameters();
            parameters.setServerNames(List.of(new SNIHostName(host)));
            engine.setSSLParameters(parameters);
        }
        return handler;
    }

    /** The JDK's trust store, or the PEM bundle {@code caFile}, saying whose certificate it refused. */
    private static NamingTrustManager trustManager(String caFile) {
        try {
            KeyStore store = null;
            if (caFile != null) {
                store = KeyStore.getInstance(KeyStore.getDefaultType());
                store.load(null, null);
                try (InputStream in = Files.newInputStream(Path.of(caFile))) {
                    int i = 0;
                    for (Certificate certificate : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
                        store.setCertificateEntry("ca-" + i++, certificate);
                    }
                }
            }
            TrustManagerFactory factory = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
            factory.init(store);
            for (TrustManager manager : factory.getTrustManagers()) {
                if (manager instanceof X509ExtendedTrustManager x509) {
                    return new NamingTrustManager(x509);
                }
            }
            throw new IllegalStateException("the JDK offers no X.509 trust manager");
        } catch (IOException | GeneralSecurityException e) {
            throw new UncheckedIOException("cannot read the CA certificates of " + caFile, e instanceof IOException io
                    ? io : new IOException(e));
        }
    }

    private static SslContext build(TlsConfig config) {
        SslContextBuilder builder = SslContextBuilder.forClient();
        if (config.insecureSkipVerify()) {
            log.warn("TLS certificate verification is OFF for an upstream (insecureSkipVerify: true); "
                    + "anyone on the path can read and change its traffic");
            builder.trustManager(InsecureTrustManagerFactory.INSTANCE).endpointIdentificationAlgorithm(null);
        } else {
            builder.endpointIdentificationAlgorithm("HTTPS").trustManager(trustManager(config.caFile()));
        }
        try {
            return builder.build();
        } catch (SSLException e) {
            throw new UncheckedIOException("cannot build a TLS context for " + config, e);
        }
    }
}
