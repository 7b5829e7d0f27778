package io.infergate.core.config;

import java.nio.file.Path;
import java.util.Objects;

/**
 * TLS on the gateway's own listener: its certificate chain and private key as PEM files, and,
 * for mutual TLS, the PEM bundle of the CAs whose client certificates it accepts (every client must
 * then present one). The files are read again when they change on disk.
 *
 * @param clientCaFile null: clients are not asked for a certificate
 */
public record ListenerTlsConfig(Path certFile, Path keyFile, Path clientCaFile) {

    public ListenerTlsConfig {
        Objects.requireNonNull(certFile, "certFile");
        Objects.requireNonNull(keyFile, "keyFile");
    }
}
