package io.infergate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.infergate.testing.Await;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.SocketTimeoutException;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultsIT {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String STREAM = "{\"inputs\":\"x\",\"parameters\":{\"max_new_tokens\":6}}";
    private static UpstreamSim sim;
    private static SimClient client;

    @BeforeAll
    static void start() throws InterruptedException {
        sim = UpstreamSim.builder().tokensPerSecond(100).start();
        client = new SimClient(sim);
    }

    @AfterEach
    void clear() {
        sim.setFaults(Faults.none());
        Await.until("idle", WAIT, () -> sim.stats().inFlight() == 0);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void anInjectedErrorIsA500GenerationErrorForTheCountedRequestsOnly() throws InterruptedException {
        try (UpstreamSim failing = UpstreamSim.builder().tokensPerSecond(0)
                .faults(Faults.none().withErrorRate(1).withCount(1)).start()) {
            SimClient c = new SimClient(failing);
            HttpResponse<String> failed = c.post("/generate", STREAM);
            assertEquals(500, failed.statusCode());
            assertEquals("generation", SimClient.json(failed.body()).get("error_type").asText());
            assertEquals(200, c.post("/generate", STREAM).statusCode());
        }
    }

    @Test
    void hangBeforeHeadNeverAnswers() throws IOException {
        sim.setFaults(Faults.none().withHangBeforeHead(true));
        try (RawClient raw = new RawClient(sim.port(), 300)) {
            raw.post("/generate", STREAM);
            assertThrows(SocketTimeoutException.class, raw::statusLine);
        }
    }

    @Test
    void aStalledStreamSendsNothingMoreButKeepsTheConnectionAndTheSlot() throws IOException {
        sim.setFaults(Faults.none().withStallAfterTokens(2));
        try (RawClient raw = new RawClient(sim.port(), 2000)) {
            raw.post("/generate_stream", STREAM);
            assertEquals("HTTP/1.1 200 OK", raw.statusLine());
            raw.headers();
            assertTrue(new String(raw.chunk(), StandardCharsets.UTF_8).startsWith("data: {\"index\":1,"));
            assertTrue(new String(raw.chunk(), StandardCharsets.UTF_8).startsWith("data: {\"index\":2,"));
            raw.timeout(300);
            assertThrows(SocketTimeoutException.class, raw::chunk);
            assertEquals(1, sim.stats().running());
        }
        Await.until("the slot is free", WAIT, () -> sim.stats().running() == 0);
    }

    @Test
    void aResetCutsTheStreamAfterTheGivenTokens() throws IOException {
        sim.setFaults(Faults.none().withResetAfterTokens(2));
        try (RawClient raw = new RawClient(sim.port(), 2000)) {
            raw.post("/generate_stream", STREAM);
            assertEquals("HTTP/1.1 200 OK", raw.statusLine());
            raw.headers();
            assertNotNull(raw.chunk());
            assertNotNull(raw.chunk());
            assertThrows(IOException.class, raw::chunk);
        }
    }

    @Test
    void trickleSendsOneBytePerSecond() throws IOException {
        sim.setFaults(Faults.none().withTrickle(true).withCount(1));
        try (RawClient raw = new RawClient(sim.port(), 1000)) {
            raw.post("/generate", "{\"inputs\":\"x\",\"parameters\":{\"max_new_tokens\":1}}");
            assertEquals('H', raw.read());
            raw.timeout(400);
            assertThrows(SocketTimeoutException.class, raw::read);
            raw.timeout(1500);
            assertEquals('T', raw.read());
        }
    }

    @Test
    void malformedHttpIsAStatusLineNoParserAccepts() throws IOException {
        sim.setFaults(Faults.none().withMalformedHttp(true));
        try (RawClient raw = new RawClient(sim.port(), 2000)) {
            raw.post("/generate", STREAM);
            assertEquals("HTTP/1.1 2x0 Broken", raw.statusLine());
            assertEquals("no colon here", raw.line());
            assertEquals("", raw.line());
            assertEquals(-1, raw.read());
        }
        assertThrows(UncheckedIOException.class, () -> client.post("/generate", STREAM));
    }

    @Test
    void anInvalidJsonEventArrivesAfterTheGivenTokensAndTheStreamGoesOn() {
        sim.setFaults(Faults.none().withInvalidJsonEventAfterTokens(2));
        SimClient.Streamed stream = client.stream("/generate_stream", STREAM);
        List<String> events = stream.events();
        assertEquals(7, events.size());
        assertEquals("{not json", events.get(2));
        assertEquals(6, SimClient.json(events.get(6)).get("index").asInt());
    }

    @Test
    void faultsCanBeSetReadAndClearedOverHttp() {
        HttpResponse<String> set = client.post("/_sim/faults", "{\"errorRate\":1.0,\"count\":2}");
        assertEquals(200, set.statusCode());
        JsonNode current = SimClient.json(client.get("/_sim/faults").body());
        assertEquals(1.0, current.get("errorRate").asDouble());
        assertEquals(2, current.get("count").asInt());
        assertEquals(500, client.post("/generate", STREAM).statusCode());
        assertEquals(1, SimClient.json(client.get("/_sim/faults").body()).get("count").asInt());
        assertEquals(500, client.post("/generate", STREAM).statusCode());
        assertEquals(200, client.post("/generate", STREAM).statusCode());
        assertEquals(0.0, SimClient.json(client.get("/_sim/faults").body()).get("errorRate").asDouble());

        client.post("/_sim/faults", "{\"hangBeforeHead\":true}");
        HttpResponse<String> cleared = client.delete("/_sim/faults");
        assertEquals(200, cleared.statusCode());
        assertTrue(SimClient.json(cleared.body()).get("stallAfterTokens").isNull());
        assertEquals(Faults.none(), sim.faults());

        HttpResponse<String> typo = client.post("/_sim/faults", "{\"stallAfter\":3}");
        assertEquals(400, typo.statusCode());
        assertTrue(typo.body().contains("stallAfter"), typo.body());
        HttpResponse<String> range = client.post("/_sim/faults", "{\"errorRate\":2}");
        assertEquals(400, range.statusCode());
        assertTrue(range.body().contains("errorRate: 2.0 (expected: 0..1)"), range.body());
    }

    @Test
    void withoutFaultsTheRawStreamEndsCleanly() throws IOException {
        try (RawClient raw = new RawClient(sim.port(), 2000)) {
            raw.post("/generate_stream", STREAM);
            raw.statusLine();
            raw.headers();
            int events = 0;
            while (raw.chunk() != null) {
                events++;
            }
            assertEquals(6, events);
        }
    }

    @Test
    void theBatchIsResizedWhileTheSimulatorRuns() throws InterruptedException {
        try (UpstreamSim resized = UpstreamSim.builder().tokensPerSecond(100).maxBatch(8).start()) {
            SimClient c = new SimClient(resized);
            assertEquals(8, SimClient.json(c.get("/_sim/batch").body()).get("maxBatch").asInt());

            HttpResponse<String> halved = c.post("/_sim/batch", "{\"maxBatch\": 4}");

            assertEquals(200, halved.statusCode());
            assertEquals(4, SimClient.json(halved.body()).get("maxBatch").asInt());
            assertEquals(4, SimClient.json(c.get("/_sim/batch").body()).get("maxBatch").asInt());
            assertEquals(400, c.post("/_sim/batch", "{\"maxBatch\": 0}").statusCode());
            assertEquals(400, c.post("/_sim/batch", "{\"maxBatch\": \"four\"}").statusCode());
            assertEquals(400, c.post("/_sim/batch", "four").statusCode());
        }
    }
}
