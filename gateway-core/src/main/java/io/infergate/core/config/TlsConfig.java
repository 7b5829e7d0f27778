package io.infergate.core.config;

/**
 * How the gateway verifies an https endpoint: the JDK trust store by default, or a PEM bundle in
 * {@code caFile}. Verification can only be switched off explicitly, and the server warns when it is.
 */
public record TlsConfig(String caFile, boolean insecureSkipVerify) {

    public static final TlsConfig DEFAULTS = new TlsConfig(null, false);
}
