package io.infergate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.infergate.testing.Await;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.ConnectException;
import java.net.Socket;
import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ColdStartIT {

    private static final Duration WAIT = Duration.ofSeconds(5);
    private static final String GENERATE = "{\"inputs\":\"x\",\"parameters\":{\"max_new_tokens\":2}}";

    @Test
    void behindTheHfProxyALoadingReplicaAnswers503ThenServes() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().tokensPerSecond(0)
                .coldStart(Duration.ofMillis(600), ColdStartMode.HF_PROXY).start()) {
            SimClient client = new SimClient(sim);
            HttpResponse<String> loading = client.post("/generate", GENERATE);
            assertEquals(503, loading.statusCode());
            assertEquals("application/json", loading.headers().firstValue("content-type").orElseThrow());
            assertEquals(503, client.get("/health").statusCode());
            Await.until("healthy", WAIT, () -> client.get("/health").statusCode() == 200);
            assertEquals(200, client.post("/generate", GENERATE).statusCode());
        }
    }

    @Test
    void xScaleUpTimeoutHoldsTheRequestUntilTheReplicaIsReady() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().tokensPerSecond(0)
                .coldStart(Duration.ofMillis(500), ColdStartMode.HF_PROXY).start()) {
            SimClient client = new SimClient(sim);
            long start = System.nanoTime();
            HttpResponse<String> tooShort = client.post("/generate", GENERATE, "X-Scale-Up-Timeout", "0.1");
            assertEquals(503, tooShort.statusCode());
            HttpResponse<String> held = client.post("/generate", GENERATE, "X-Scale-Up-Timeout", "10");
            long elapsedMillis = (System.nanoTime() - start) / 1_000_000;
            assertEquals(200, held.statusCode());
            assertTrue(elapsedMillis >= 450, "served after " + elapsedMillis + " ms");
        }
    }

    @Test
    void theServerlessApiAnswers503WithTheEstimatedTimeLeft() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().modelId("org/model").tokensPerSecond(0)
                .coldStart(Duration.ofMillis(800), ColdStartMode.SERVERLESS).start()) {
            SimClient client = new SimClient(sim);
            HttpResponse<String> loading = client.post("/generate", GENERATE);
            assertEquals(503, loading.statusCode());
            JsonNode body = SimClient.json(loading.body());
            assertEquals("Model org/model is currently loading", body.get("error").asText());
            double estimated = body.get("estimated_time").asDouble();
            assertTrue(estimated > 0 && estimated <= 0.8, "estimated_time " + estimated);
            assertEquals(200, client.post("/generate", GENERATE, "x-wait-for-model", "true").statusCode());
            assertEquals(200, client.get("/health").statusCode());
        }
    }

    @Test
    void inRefuseModeThePortRefusesConnectionsWhileLoading() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().tokensPerSecond(0)
                .coldStart(Duration.ofMillis(500), ColdStartMode.REFUSE).start()) {
            assertThrows(ConnectException.class, () -> connect(sim.port()));
            Await.until("accepting", WAIT, () -> accepts(sim.port()));
            assertEquals(200, new SimClient(sim).post("/generate", GENERATE).statusCode());
        }
    }

    @Test
    void anIdleReplicaScalesToZeroAndTheNextRequestLoadsItAgain() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().tokensPerSecond(0)
                .coldStart(Duration.ofMillis(300), ColdStartMode.HF_PROXY).scaleToZeroAfter(Duration.ofMillis(400)).start()) {
            SimClient client = new SimClient(sim);
            Await.until("healthy", WAIT, () -> client.get("/health").statusCode() == 200);
            assertEquals(200, client.post("/generate", GENERATE).statusCode());
            Await.until("scaled to zero", WAIT, () -> client.get("/health").statusCode() == 503);
            assertEquals(503, client.post("/generate", GENERATE).statusCode());
            assertEquals(200, client.post("/generate", GENERATE, "X-Scale-Up-Timeout", "5").statusCode());
        }
    }

    @Test
    void inRefuseModeAnIdleReplicaRestartsAndRefusesWhileReloading() throws Exception {
        try (UpstreamSim sim = UpstreamSim.builder().tokensPerSecond(0)
                .coldStart(Duration.ofMillis(300), ColdStartMode.REFUSE).scaleToZeroAfter(Duration.ofMillis(300)).start()) {
            Await.until("accepting", WAIT, () -> accepts(sim.port()));
            assertEquals(200, new SimClient(sim).post("/generate", GENERATE).statusCode());
            Await.until("refusing", WAIT, () -> !accepts(sim.port()));
            Await.until("accepting again", WAIT, () -> accepts(sim.port()));
        }
    }

    private static void connect(int port) throws IOException {
        new Socket("127.0.0.1", port).close();
    }

    private static boolean accepts(int port) {
        try {
            connect(port);
            return true;
        } catch (IOException e) {
            return false;
        }
    }
}
