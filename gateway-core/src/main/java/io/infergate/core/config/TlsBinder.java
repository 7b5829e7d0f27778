package io.infergate.core.config;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.util.List;

/**
 * Binds an upstream's {@code tls:}, and reads any other {@code caFile}. A {@code caFile} is read now, so a wrong path or a file that is
 * not a PEM bundle is refused at load time instead of failing the first request. A relative
 * {@code caFile} is taken from the config file's directory when there is one, and stored resolved.
 */
final class TlsBinder {

    static final List<String> KEYS = List.of("caFile", "insecureSkipVerify");

    private final Path baseDir; // null when the config did not come from a file

    TlsBinder(Path baseDir) {
        this.baseDir = baseDir;
    }

    TlsConfig bind(ConfigNode tls) {
        if (!tls.checkMap(KEYS)) {
            return TlsConfig.DEFAULTS;
        }
        String caFile = caFile(tls.get("caFile"));
        boolean insecure = tls.get("insecureSkipVerify").bool(TlsConfig.DEFAULTS.insecureSkipVerify());
        return new TlsConfig(caFile, insecure);
    }

    /**
     * A {@code caFile} key (an upstream's, the store's): the path resolved, reported when it is not a
     * readable PEM bundle; null when absent.
     */
    String caFile(ConfigNode node) {
        String caFile = node.string(null);
        if (caFile != null) {
            caFile = resolve(caFile);
            checkCaFile(node, Path.of(caFile));
        }
        return caFile;
    }

    private String resolve(String caFile) {
        Path path = Path.of(caFile);
        return baseDir == null || path.isAbsolute() ? caFile : baseDir.resolve(path).toString();
    }

    private static void checkCaFile(ConfigNode node, Path path) {
        if (!Files.isRegularFile(path) || !Files.isReadable(path)) {
            node.report('"' + path.toString() + "\" is not a readable file");
            return;
        }
        try (InputStream in = Files.newInputStream(path)) {
            if (CertificateFactory.getInstance("X.509").generateCertificates(in).isEmpty()) {
                node.report('"' + path.toString() + "\" holds no certificate (expected: a PEM bundle)");
            }
        } catch (CertificateException e) {
            node.report('"' + path.toString() + "\" is not a PEM certificate bundle");
        } catch (IOException e) {
            node.report('"' + path.toString() + "\" cannot be read: " + e.getMessage());
        }
    }
}
