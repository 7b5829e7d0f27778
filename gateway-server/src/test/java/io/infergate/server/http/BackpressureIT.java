package io.infergate.server.http;

import io.infergate.server.testing.BulkUpstream;
import io.infergate.server.testing.TestGateway;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.Test;

import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.locks.LockSupport;
import java.util.zip.CRC32;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** A client that stops reading stops the upstream too; the gateway holds no more than its buffers. */
class BackpressureIT {

    private static final long BODY = 256L * 1024 * 1024;
    private static final long MB = 1024 * 1024;

    /** The pool is the JVM's, shared with the tests before: only what this test adds to it counts. */
    private final long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();

    @Test
    void stalledClientPausesTheUpstreamAndResumesIntact() throws Exception {
        try (BulkUpstream upstream = new BulkUpstream(BODY);
             TestGateway gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.port(), "");
             Socket client = new Socket("127.0.0.1", gateway.port())) {
            client.setReceiveBufferSize(64 * 1024);
            client.getOutputStream().write("GET /bulk HTTP/1.1\r\nHost: g\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            skipHead(in);
            CRC32 crc = new CRC32();
            byte[] first = in.readNBytes(1024); // a little of the body, then the client stops reading
            crc.update(first);

            long plateau = waitForPlateau(upstream);
            long gatewayDirect = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore;
            assertTrue(plateau < 64 * MB, "upstream wrote " + plateau / MB + " MB to a client that reads nothing");
            assertTrue(gatewayDirect < 16 * MB, "gateway holds " + gatewayDirect / MB + " MB of direct buffers");

            // The client reads again: everything arrives, in order.
            long received = first.length;
            byte[] buffer = new byte[64 * 1024];
            while (received < BODY) {
                int n = in.read(buffer, 0, (int) Math.min(buffer.length, BODY - received));
                if (n < 0) {
                    break;
                }
                crc.update(buffer, 0, n);
                received += n;
            }
            assertEquals(BODY, received);
            assertEquals(upstream.expectedCrc(), crc.getValue());
        }
    }

    @Test
    void eventStreamToAClientReadingAKilobyteAtATimeHoldsBoundedMemory() throws Exception {
        try (BulkUpstream upstream = new BulkUpstream(BODY, "text/event-stream");
             TestGateway gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.port(), "heartbeat: { interval: 100ms }");
             Socket client = new Socket("127.0.0.1", gateway.port())) {
            client.setReceiveBufferSize(16 * 1024);
            client.getOutputStream().write("GET /events HTTP/1.1\r\nHost: g\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
            InputStream in = client.getInputStream();
            skipHead(in);
            // Read a kilobyte, then wait until the upstream has stopped again, three times over: each time
            // the client comes back for a little, the stream must again wait for it.
            for (int round = 1; round <= 3; round++) {
                assertEquals(1024, in.readNBytes(1024).length);
                long plateau = waitForPlateau(upstream);
                long gatewayDirect = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore;
                assertTrue(plateau < 64 * MB, "upstream wrote " + plateau / MB + " MB to a client that read "
                        + round + " KB");
                assertTrue(gatewayDirect < 16 * MB, "gateway holds " + gatewayDirect / MB + " MB of direct buffers");
            }
        }
    }

    private static void skipHead(InputStream in) throws java.io.IOException {
        int matched = 0;
        while (matched < 4) {
            int b = in.read();
            if (b < 0) {
                throw new java.io.EOFException("no response head");
            }
            matched = b == "\r\n\r\n".charAt(matched) ? matched + 1 : (b == '\r' ? 1 : 0);
        }
    }

    private static long waitForPlateau(BulkUpstream upstream) {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        long last = -1;
        int stableFor = 0;
        while (System.nanoTime() < deadline) {
            long now = upstream.written();
            stableFor = now == last ? stableFor + 1 : 0;
            if (stableFor >= 20) { // unchanged for 20 polls of 25 ms
                return now;
            }
            last = now;
            LockSupport.parkNanos(Duration.ofMillis(25).toNanos());
        }
        throw new AssertionError("the upstream never stopped writing: " + upstream.written() / MB + " MB");
    }
}
