package io.infergate.server.testing;

import okhttp3.tls.HeldCertificate;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * A test CA and the TLS listener's certificate files in a directory, each file replaced whole, as a
 * rotation does (cert-manager, a Secret's symlink swap): the gateway never reads half a file.
 */
public final class ListenerCertificates {

    public static final HeldCertificate CA =
            new HeldCertificate.Builder().certificateAuthority(0).commonName("Test CA").build();

    private ListenerCertificates() {}

    /** A certificate for {@code localhost} and {@code 127.0.0.1}, signed by {@link #CA}. */
    public static HeldCertificate leaf(String name) {
        return new HeldCertificate.Builder().commonName(name).addSubjectAlternativeName("localhost")
                .addSubjectAlternativeName("127.0.0.1").signedBy(CA).build();
    }

    public static Path certFile(Path dir) {
        return dir.resolve("tls.crt");
    }

    public static Path keyFile(Path dir) {
        return dir.resolve("tls.key");
    }

    /** Writes {@code certificate} (its chain up to the CA) and its key where the gateway reads them. */
    public static void install(Path dir, HeldCertificate certificate) throws IOException {
        replace(certFile(dir), certificate.certificatePem() + CA.certificatePem());
        replace(keyFile(dir), certificate.privateKeyPkcs8Pem());
    }

    private static void replace(Path file, String pem) throws IOException {
        Path next = Files.writeString(file.resolveSibling(file.getFileName() + ".next"), pem);
        Files.move(next, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }
}
