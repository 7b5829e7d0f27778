package io.infergate.server.http;

import io.infergate.server.testing.H2Client;
import io.infergate.server.testing.ScriptedUpstream;
import io.infergate.server.testing.ListenerCertificates;
import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import io.netty.handler.codec.http2.Http2SecurityUtil;
import io.netty.handler.ssl.ApplicationProtocolConfig;
import io.netty.handler.ssl.ApplicationProtocolNames;
import io.netty.handler.ssl.SslContext;
import io.netty.handler.ssl.SslContextBuilder;
import io.netty.handler.ssl.SupportedCipherSuiteFilter;
import okhttp3.tls.HeldCertificate;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

/** HTTP/2 over TLS, chosen by ALPN: event streams, mutual TLS and a rotated certificate, all over h2. */
class Http2TlsIT {

    private static final HeldCertificate CA = ListenerCertificates.CA;

    @TempDir
    Path dir;
    @AutoClose
    private final ScriptedUpstream upstream = new ScriptedUpstream();
    @AutoClose
    private TestGateway gateway;
    @AutoClose
    private H2Client client;

    Http2TlsIT() throws IOException { // the upstream's socket opens with the instance
    }

    private void gateway(String extraTls, String routeYaml) {
        gateway = TestGateway.start("""
                server:
                  port: 0
                  adminPort: 0
                  tls: { certFile: "%s", keyFile: "%s"%s }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                %s
                    upstreams: [ { name: primary, endpoints: [ "%s" ] } ]
                """.formatted(ListenerCertificates.certFile(dir), ListenerCertificates.keyFile(dir), extraTls,
                TestGateway.indent(routeYaml, "    "), upstream.url()));
    }

    /** A client context that offers only h2 by ALPN, trusting the test CA, with {@code certificate} when not null. */
    private static SslContext h2Only(HeldCertificate certificate) throws IOException {
        SslContextBuilder builder = SslContextBuilder.forClient().trustManager(CA.certificate())
                .ciphers(Http2SecurityUtil.CIPHERS, SupportedCipherSuiteFilter.INSTANCE)
                .applicationProtocolConfig(new ApplicationProtocolConfig(ApplicationProtocolConfig.Protocol.ALPN,
                        ApplicationProtocolConfig.SelectorFailureBehavior.NO_ADVERTISE,
                        ApplicationProtocolConfig.SelectedListenerFailureBehavior.ACCEPT, ApplicationProtocolNames.HTTP_2));
        if (certificate != null) {
            builder.keyManager(certificate.keyPair().getPrivate(), certificate.certificate());
        }
        return builder.build();
    }

    @Test
    void h2ByAlpnCarriesAHundredConcurrentEventStreamsByteExactWithHeartbeats() throws Exception {
        ListenerCertificates.install(dir, ListenerCertificates.leaf("gateway"));
        gateway("", "heartbeat: { interval: 100ms }\nadmission: { maxInFlightPerEndpoint: 200 }");
        client = H2Client.tls(gateway.port(), h2Only(null));
        assertEquals(ApplicationProtocolNames.HTTP_2, client.alpn());
        EventStreams.carry(client, upstream, 100);
    }

    @Test
    void mutualTlsRefusesAnH2ClientWithoutACertificateAndServesOneWithIt() throws Exception {
        ListenerCertificates.install(dir, ListenerCertificates.leaf("gateway"));
        Files.writeString(dir.resolve("clients.pem"), CA.certificatePem());
        gateway(", clientCaFile: \"" + dir.resolve("clients.pem") + "\"", "");

        assertThrows(Exception.class, () -> {
            try (H2Client anonymous = H2Client.tls(gateway.port(), h2Only(null))) {
                // TLS 1.3 may finish the client's side of the handshake before the server refuses:
                // the refusal then comes as the connection's end, before any stream is answered.
                anonymous.send("GET", "/x", null, true).awaitEnd(Duration.ofSeconds(10));
            }
        });

        HeldCertificate identity = new HeldCertificate.Builder().commonName("client").signedBy(CA).build();
        client = H2Client.tls(gateway.port(), h2Only(identity));
        assertEquals(ApplicationProtocolNames.HTTP_2, client.alpn());
        H2Client.Stream stream = client.send("GET", "/x", null, true);
        upstream.awaitExchange().write("HTTP/1.1 200 OK\r\nContent-Length: 6\r\n\r\nmutual");
        assertEquals("mutual", stream.awaitEnd(Duration.ofSeconds(10)));
    }

    @Test
    void aCertificateReplacedOnDiskIsServedToNewH2ConnectionsWithoutARestart() throws Exception {
        HeldCertificate first = ListenerCertificates.leaf("first");
        ListenerCertificates.install(dir, first);
        gateway("", "");
        SslContext trusting = h2Only(null);
        try (H2Client before = H2Client.tls(gateway.port(), trusting)) {
            assertEquals(ApplicationProtocolNames.HTTP_2, before.alpn());
            assertEquals(first.certificate().getSerialNumber(), before.peerCertificate().getSerialNumber());
        }
        HeldCertificate second = ListenerCertificates.leaf("second");
        ListenerCertificates.install(dir, second);
        Await.untilHolds("new h2 connections get the new certificate", Duration.ofSeconds(10), () -> {
            try (H2Client after = H2Client.tls(gateway.port(), trusting)) {
                return ApplicationProtocolNames.HTTP_2.equals(after.alpn())
                        && second.certificate().getSerialNumber().equals(after.peerCertificate().getSerialNumber());
            }
        });
    }
}
