package io.infergate.server;

import io.infergate.testing.Await;
import io.infergate.server.testing.BulkUpstream;
import io.infergate.server.testing.GatewayProcess;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The packaged gateway as an operator runs it. */
class ProcessIT {

    private static String oneRoute(int upstreamPort) {
        return """
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:%d" ] } ]
                """.formatted(upstreamPort);
    }

    @Test
    void hundredMegabyteResponseStreamsThroughASmallHeap(@TempDir Path dir) throws Exception {
        long size = 100L * 1024 * 1024;
        try (BulkUpstream upstream = new BulkUpstream(size);
             GatewayProcess gateway = GatewayProcess.start(dir, oneRoute(upstream.port()),
                     "-Xmx48m", "-XX:MaxDirectMemorySize=32m", "-Dio.netty.leakDetection.level=paranoid")) {
            HttpResponse<InputStream> response = TestGateway.client().send(
                    HttpRequest.newBuilder(gateway.uri("/bulk")).build(), HttpResponse.BodyHandlers.ofInputStream());
            assertEquals(200, response.statusCode());
            CRC32 crc = new CRC32();
            long received = 0;
            try (InputStream body = response.body()) {
                byte[] buffer = new byte[64 * 1024];
                for (int n = body.read(buffer); n >= 0; n = body.read(buffer)) {
                    crc.update(buffer, 0, n);
                    received += n;
                }
            }
            assertEquals(size, received);
            assertEquals(upstream.expectedCrc(), crc.getValue());
            assertTrue(gateway.process().isAlive(), gateway.output());
            assertTrue(!gateway.output().contains("LEAK"), gateway.output());
        }
    }

    @Test
    void sighupReloadsTheConfigFile(@TempDir Path dir) throws Exception {
        try (MockWebServer upstream = new MockWebServer()) {
            upstream.start();
            String first = """
                    routes:
                      - name: first
                        match: { pathPrefix: /first/ }
                        upstreams: [ { name: primary, endpoints: [ "http://127.0.0.1:%d" ] } ]
                    """.formatted(upstream.getPort());
            try (GatewayProcess gateway = GatewayProcess.start(dir, first)) {
                assertEquals(404, TestGateway.send(HttpRequest.newBuilder(gateway.uri("/second/x")).build()).statusCode());
                gateway.rewriteRoutes(first + first.replace("first", "second").replace("routes:\n", ""));
                gateway.signal("HUP");
                upstream.enqueue(new MockResponse.Builder().body("via second").build());
                Await.untilHolds("the route added by SIGHUP answers", Duration.ofSeconds(10), () -> TestGateway.send(
                        HttpRequest.newBuilder(gateway.uri("/second/x")).build()).statusCode() == 200);
                assertTrue(gateway.output().contains("config reloaded (SIGHUP): routes added second"), gateway.output());
                assertTrue(gateway.process().isAlive());
            }
        }
    }

    @Test
    void sigtermLetsTheInFlightRequestFinishThenExitsZero(@TempDir Path dir) throws Exception {
        try (MockWebServer upstream = new MockWebServer()) {
            upstream.start();
            upstream.enqueue(new MockResponse.Builder().headersDelay(1500, TimeUnit.MILLISECONDS).body("finished").build());
            try (GatewayProcess gateway = GatewayProcess.start(dir, oneRoute(upstream.getPort()))) {
                CompletableFuture<HttpResponse<String>> inFlight = TestGateway.client().sendAsync(
                        HttpRequest.newBuilder(gateway.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
                Await.until("the upstream has the request", Duration.ofSeconds(10), () -> upstream.getRequestCount() == 1);

                int exit = gateway.terminate(Duration.ofSeconds(20));

                HttpResponse<String> response = inFlight.get(5, TimeUnit.SECONDS);
                assertEquals(200, response.statusCode());
                assertEquals("finished", response.body());
                assertEquals("close", response.headers().firstValue("connection").orElse(""));
                assertEquals(0, exit, gateway.output());
            }
        }
    }
}
