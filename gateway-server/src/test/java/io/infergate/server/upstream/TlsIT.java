package io.infergate.server.upstream;

import static org.junit.jupiter.api.Assertions.assertTrue;
import java.util.Map;
import java.util.List;
import io.infergate.server.testing.PrometheusText;
import io.infergate.server.testing.LogCapture;
import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import okhttp3.tls.HandshakeCertificates;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;

/** https endpoints: verified against the JDK store or a CA file, with SNI; verification off only when asked. */
class TlsIT {

    private static final HeldCertificate CA = new HeldCertificate.Builder().certificateAuthority(0).commonName("Test CA").build();

    @TempDir
    Path dir;
    private MockWebServer upstream;
    private TestGateway gateway;

    @BeforeEach
    void start() {
        upstream = new MockWebServer();
    }

    @AfterEach
    void stop() {
        if (gateway != null) {
            gateway.close();
        }
        upstream.close();
    }

    private void serveCertificateFor(String host) throws Exception {
        HeldCertificate leaf = new HeldCertificate.Builder().addSubjectAlternativeName(host).signedBy(CA).build();
        upstream.useHttps(new HandshakeCertificates.Builder().heldCertificate(leaf).build().sslSocketFactory());
        upstream.start();
        upstream.enqueue(new MockResponse.Builder().body("secure").build());
    }

    private TestGateway gatewayWithTls(String tlsYaml) throws Exception {
        Path ca = dir.resolve("ca.pem");
        Files.writeString(ca, CA.certificatePem());
        return TestGateway.start("""
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams:
                      - name: primary
                        endpoints: [ "https://localhost:%d" ]
                        %s
                """.formatted(upstream.getPort(), tlsYaml.replace("CA_FILE", ca.toString())));
    }

    @Test
    void endpointSignedByTheConfiguredCaIsReachedWithSni() throws Exception {
        serveCertificateFor("localhost");
        gateway = gatewayWithTls("tls: { caFile: \"CA_FILE\" }");
        HttpResponse<String> response = gateway.get("/x");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("secure", response.body());
        RecordedRequest seen = upstream.takeRequest(5, TimeUnit.SECONDS);
        assertNotNull(seen);
        assertNotNull(seen.getHandshake(), "not a TLS request");
        assertEquals(java.util.List.of("localhost"), seen.getHandshakeServerNames(), "SNI");
        assertEquals("localhost:" + upstream.getPort(), seen.getHeaders().get("Host"));
    }

    @Test
    void certificateTheJdkDoesNotTrustIsTlsFailedNotRetriedAndLoggedOnceWithItsSubject() throws Exception {
        serveCertificateFor("localhost");
        gateway = gatewayWithTls(""); // the route retries connection failures twice by default
        try (LogCapture logs = LogCapture.open()) {
            for (int i = 0; i < 3; i++) {
                HttpResponse<String> response = gateway.get("/x");
                assertEquals(502, response.statusCode());
                assertEquals("tls_failed", response.headers().firstValue("x-gateway-error").orElseThrow());
            }
            List<LogCapture.Line> warned = logs.all().stream()
                    .filter(l -> l.logger().endsWith("EndpointProblems")).toList();
            assertEquals(1, warned.size(), "logged once per endpoint and change, not per request: " + warned);
            assertTrue(warned.get(0).text().contains("tls_failed") && warned.get(0).text().contains("certificate of CN=")
                    && warned.get(0).text().contains("issued by CN=Test CA"), warned.get(0).text());
        }
        PrometheusText metrics = new PrometheusText(gateway.admin("/metrics").body());
        assertEquals(0, metrics.sum(MeterNames.RETRIES, Map.of()), "a certificate is not retried: it would be the same");
        assertEquals(0, upstream.getRequestCount());
    }

    @Test
    void certificateForAnotherHostIsTlsFailed() throws Exception {
        serveCertificateFor("other.example");
        gateway = gatewayWithTls("tls: { caFile: \"CA_FILE\" }");
        HttpResponse<String> response = gateway.get("/x");
        assertEquals(502, response.statusCode());
        assertEquals("tls_failed", response.headers().firstValue("x-gateway-error").orElseThrow());
    }

    @Test
    void insecureSkipVerifyAcceptsAnyCertificate() throws Exception {
        serveCertificateFor("other.example");
        gateway = gatewayWithTls("tls: { insecureSkipVerify: true }");
        HttpResponse<String> response = gateway.get("/x");
        assertEquals(200, response.statusCode(), response.body());
        assertEquals("secure", response.body());
    }
}
