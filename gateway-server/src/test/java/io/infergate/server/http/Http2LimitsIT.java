package io.infergate.server.http;

import io.infergate.server.testing.H2Client;
import io.infergate.server.testing.RawH2;
import io.infergate.server.testing.RecordingUpstream;
import io.infergate.server.testing.TestGateway;
import io.netty.buffer.PooledByteBufAllocator;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.time.Duration;

import static io.infergate.server.testing.RawH2.CONTINUATION;
import static io.infergate.server.testing.RawH2.DATA;
import static io.infergate.server.testing.RawH2.END_HEADERS;
import static io.infergate.server.testing.RawH2.END_STREAM;
import static io.infergate.server.testing.RawH2.ENHANCE_YOUR_CALM;
import static io.infergate.server.testing.RawH2.GOAWAY;
import static io.infergate.server.testing.RawH2.HEADERS;
import static io.infergate.server.testing.RawH2.PING;
import static io.infergate.server.testing.RawH2.REFUSED_STREAM;
import static io.infergate.server.testing.RawH2.RST_STREAM;
import static io.infergate.server.testing.RawH2.SETTINGS;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The server.http2 limits and the defences against the known HTTP/2 floods, each sent by hand. */
class Http2LimitsIT {

    private static final long CANCEL = 8;

    @AutoClose
    private final RecordingUpstream upstream = new RecordingUpstream();
    @AutoClose
    private TestGateway gateway;
    @AutoClose
    private RawH2 raw;

    Http2LimitsIT() throws IOException {
    }

    private void gateway(String http2) throws IOException {
        gateway = TestGateway.start("""
                server: { port: 0, adminPort: 0, http2: { %s } }
                routes:
                  - name: main
                    match: { pathPrefix: / }
                    upstreams: [ { name: primary, endpoints: [ "%s" ] } ]
                """.formatted(http2, upstream.url()));
    }

    /** After an attack, the gateway still serves a well-behaved HTTP/2 client. */
    private void stillServes() throws Exception {
        try (H2Client client = H2Client.priorKnowledge(gateway.port())) {
            H2Client.Stream stream = client.send("GET", "/still", null, true);
            assertTrue(stream.awaitEnd(Duration.ofSeconds(10)).startsWith("GET /still"));
        }
    }

    @Test
    void aRapidResetFloodEndsWithGoAwayAndReachesTheUpstreamAtMostTheLimit() throws Exception {
        gateway("maxResets: 100, resetWindow: 30s, maxConcurrentStreams: 100");
        System.gc();
        long heapBefore = usedHeap();
        long directBefore = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory();
        raw = new RawH2(gateway.port(), true, 0);
        int sent = 0;
        try {
            for (int i = 0; i < 10_000; i++) {
                int stream = 2 * i + 1;
                raw.frame(HEADERS, END_HEADERS | END_STREAM, stream, RawH2.requestHeaders("/flood/" + i));
                raw.frame(RST_STREAM, 0, stream, RawH2.errorCode(CANCEL));
                sent++;
                if (i % 100 == 99) {
                    raw.flush();
                }
            }
            raw.flush();
        } catch (IOException closedByServer) {
            // the server may close before the flood is all written
        }
        RawH2.Frame goAway = raw.await(GOAWAY, 10_000);
        assertNotNull(goAway, "GOAWAY after " + sent + " streams reset");
        assertEquals(ENHANCE_YOUR_CALM, goAway.errorCode());
        assertTrue(raw.awaitClosedByServer(10_000));

        stillServes();
        int reached = (int) upstream.requests().stream().filter(r -> r.requestLine().contains("/flood/")).count();
        assertTrue(reached <= 100 + 100, reached + " flood requests reached the upstream");
        System.gc();
        long heapGrowth = usedHeap() - heapBefore;
        long directGrowth = PooledByteBufAllocator.DEFAULT.metric().usedDirectMemory() - directBefore;
        assertTrue(heapGrowth < 64 << 20, "heap grew by " + heapGrowth);
        assertTrue(directGrowth < 32 << 20, "direct memory grew by " + directGrowth);
    }

    private static long usedHeap() {
        Runtime runtime = Runtime.getRuntime();
        return runtime.totalMemory() - runtime.freeMemory();
    }

    @Test
    void theServerAnnouncesItsStreamLimitAndRefusesAStreamBeyondIt() throws Exception {
        gateway("maxConcurrentStreams: 3");
        raw = new RawH2(gateway.port(), true, 0);
        RawH2.Frame settings = raw.await(SETTINGS, 10_000);
        assertTrue(hasSetting(settings.payload(), 0x3, 3), "SETTINGS_MAX_CONCURRENT_STREAMS 3");
        for (int stream = 1; stream <= 7; stream += 2) { // four streams whose bodies never come
            raw.frame(HEADERS, END_HEADERS, stream, RawH2.requestHeaders("/open"));
        }
        raw.flush();
        RawH2.Frame reset = raw.await(RST_STREAM, 10_000);
        assertNotNull(reset);
        assertEquals(7, reset.stream());
        assertEquals(REFUSED_STREAM, reset.errorCode());
    }

    private static boolean hasSetting(byte[] payload, int id, long value) {
        for (int at = 0; at + 6 <= payload.length; at += 6) {
            int key = ((payload[at] & 0xff) << 8) | (payload[at + 1] & 0xff);
            long v = ((payload[at + 2] & 0xffL) << 24) | ((payload[at + 3] & 0xff) << 16) | ((payload[at + 4] & 0xff) << 8)
                    | (payload[at + 5] & 0xff);
            if (key == id && v == value) {
                return true;
            }
        }
        return false;
    }

    @Test
    void aContinuationFloodPastTheHeaderListLimitEndsTheConnection() throws Exception {
        gateway("maxHeaderListBytes: 4KiB");
        raw = new RawH2(gateway.port(), true, 0);
        byte[] fragment = new byte[1024];
        java.util.Arrays.fill(fragment, (byte) 'a');
        int sent = 0;
        try {
            raw.frame(HEADERS, 0, 1, RawH2.requestHeaders("/continued"));
            for (; sent < 10_000; sent++) { // 10 MiB of header block, never ended
                raw.frame(CONTINUATION, 0, 1, fragment);
            }
            raw.flush();
        } catch (IOException closedByServer) {
            // expected once the limit is passed
        }
        assertNotNull(raw.await(GOAWAY, 10_000), "GOAWAY after " + sent + " CONTINUATION frames");
        assertTrue(raw.awaitClosedByServer(10_000));
        assertEquals(0, upstream.requests().size());
        stillServes();
    }

    @Test
    void runsOfEmptyDataFramesEndTheConnectionWithEnhanceYourCalm() throws Exception {
        gateway("");
        raw = new RawH2(gateway.port(), true, 0);
        raw.frame(HEADERS, END_HEADERS, 1, RawH2.requestHeaders("/empty"));
        for (int i = 0; i < 100; i++) {
            raw.frame(DATA, 0, 1, new byte[0]);
        }
        raw.flush();
        RawH2.Frame goAway = raw.await(GOAWAY, 10_000);
        assertNotNull(goAway);
        assertEquals(ENHANCE_YOUR_CALM, goAway.errorCode());
    }

    @Test
    void aPingFloodFromAClientThatReadsNothingClosesItsConnection() throws Exception {
        floodOfControlFrames(PING, new byte[8]);
    }

    @Test
    void aSettingsFloodFromAClientThatReadsNothingClosesItsConnection() throws Exception {
        floodOfControlFrames(SETTINGS, new byte[0]);
    }

    /** Frames that each ask for an answer, from a client that never reads one: the answers may not pile up. */
    private void floodOfControlFrames(int type, byte[] payload) throws Exception {
        gateway("");
        raw = new RawH2(gateway.port(), false, 4096);
        int limit = 3_000_000;
        int sent = 0;
        try {
            for (; sent < limit; sent++) {
                raw.frame(type, 0, 0, payload);
                if (sent % 1000 == 999) {
                    raw.flush();
                }
            }
            raw.flush();
        } catch (IOException closedByServer) {
            // what the test waits for
        }
        assertTrue(sent < limit, "the connection was closed before " + limit + " frames (after " + sent + ")");
        stillServes();
    }
}
