package io.infergate.server.http;

import io.infergate.core.config.ListenerTlsConfig;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.ClientAuth;
import io.netty.handler.ssl.OpenSsl;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SslHandler;
import io.netty.handler.ssl.SslProvider;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;

/**
 * TLS on the client listener: TLS 1.3 and 1.2 with the suites HTTP/2 allows (forward secret, AEAD
 * only), on Netty's BoringSSL where its native library loads and on the JDK's provider otherwise
 * ({@link #PROVIDER}); ALPN offers {@code h2} and {@code http/1.1}. The certificate, key and client CA files are looked at again by
 * {@link #refresh}: when one has changed (cert-manager rotates them, a Kubernetes Secret is swapped
 * through a symlink), the context is built again and new connections get it; connections already
 * open keep theirs. A file that does not parse leaves the old context in place and is logged.
 */
public final class ListenerTls implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(ListenerTls.class);
    private static final String[] PROTOCOLS = {"TLSv1.3", "TLSv1.2"};
    /** The TLS implementation every listener context is built on. */
    public static final SslProvider PROVIDER = OpenSsl.isAvailable() ? SslProvider.OPENSSL : SslProvider.JDK;
    private static final ApplicationProtocolConfig ALPN = new ApplicationProtocolConfig(
            ApplicationProtocolConfig.Protocol.ALPN,
            // The two behaviours both providers support: no match means no ALPN, which is HTTP/1.1.
            ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
            ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT,
            ApplicationProtocolNames.HTTP_2, ApplicationProtocolNames.HTTP_1_1);
    /** How often the files are looked at: a few stat calls, so often enough for a test to wait on. */
    private static final Duration LOOK_EVERY = Duration.ofSeconds(1);

    private final ListenerTlsConfig config;
    private final AtomicReference<SslContext> context = new AtomicReference<>();
    private List<Object> fingerprint;
    private ScheduledFuture<?> looks;

    private ListenerTls(ListenerTlsConfig config) {
        this.config = config;
    }

    /**
     * The listener's TLS, its files read now and looked at again every second on {@code executor}.
     *
     * @throws ListenerTlsException naming the key whose file cannot be used
     */
    public static ListenerTls start(ListenerTlsConfig config, EventExecutor executor) {
        ListenerTls tls = new ListenerTls(config);
        tls.fingerprint = tls.fingerprint();
        tls.context.set(build(config));
        log.info("server.tls: {} provider, ALPN h2 and http/1.1", PROVIDER == SslProvider.OPENSSL ? "OpenSSL (BoringSSL)" : "JDK");
        tls.looks = executor.scheduleWithFixedDelay(tls::refresh, LOOK_EVERY.toMillis(), LOOK_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        return tls;
    }

    @Override
    public void close() {
        looks.cancel(false);
    }

    /** A handler for a new client connection; its handshake must end within {@code timeoutMillis}. */
    public SslHandler newHandler(ByteBufAllocator alloc, long timeoutMillis) {
        SslHandler handler = context.get().newHandler(alloc);
        handler.setHandshakeTimeoutMillis(timeoutMillis);
        return handler;
    }

    /** Builds the context again when a file changed since the last look. */
    synchronized void refresh() {
        List<Object> now = fingerprint();
        if (now.equals(fingerprint)) {
            return;
        }
        try {
            context.set(build(config));
            fingerprint = now;
            log.info("server.tls: certificate files changed; new connections get the new certificate");
        } catch (ListenerTlsException e) {
            log.warn("{}; still serving the previous certificate", e.getMessage());
            fingerprint = now; // logged once per change, not once per look
        }
    }

    /** Where each file resolves to (a symlink swap changes it), when it was written, and its size. */
    private List<Object> fingerprint() {
        List<Object> parts = new ArrayList<>();
        for (Path file : new Path[] {config.certFile(), config.keyFile(), config.clientCaFile()}) {
            if (file == null) {
                continue;
            }
            try {
                parts.add(file.toRealPath());
                parts.add(Files.getLastModifiedTime(file));
                parts.add(Files.size(file));
            } catch (IOException e) {
                parts.add(e.getClass().getName());
            }
        }
        return parts;
    }

    private static SslContext build(ListenerTlsConfig config) {
        SslContextBuilder builder;
        try {
            builder = SslContextBuilder.forServer(config.certFile().toFile(), config.keyFile().toFile());
        } catch (IllegalArgumentException e) {
            throw new ListenerTlsException("server.tls.certFile / keyFile: cannot use " + config.certFile() + " and "
                    + config.keyFile() + ": " + reason(e));
        }
        if (config.clientCaFile() != null) {
            builder.trustManager(config.clientCaFile().toFile()).clientAuth(ClientAuth.REQUIRE);
        }
        try {
            return builder.sslProvider(PROVIDER).protocols(PROTOCOLS)
                    .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                    .applicationProtocolConfig(ALPN)
                    .build();
        } catch (IOException | RuntimeException e) {
            String key = config.clientCaFile() != null && Objects.toString(e.getMessage(), "").contains("trust")
                    ? "server.tls.clientCaFile" : "server.tls";
            throw new ListenerTlsException(key + ": cannot build the listener's TLS: " + reason(e));
        }
    }

    private static String reason(Exception e) {
        Throwable root = e;
        while (root.getCause() != null) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }

    /** A listener TLS file that cannot be used; the message names the key. */
    public static final class ListenerTlsException extends RuntimeException {
        ListenerTlsException(String message) {
            super(message);
        }
    }
}
