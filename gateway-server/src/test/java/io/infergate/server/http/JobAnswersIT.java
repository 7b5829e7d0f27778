package io.infergate.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.UpstreamSim;
import io.infergate.testing.Await;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * What the jobs API tells a client that is not the happy path: a job that could not wait is refused
 * when it is submitted, a running job shows where it is, and an id the gateway issued but lost says so.
 */
class JobAnswersIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String ID_KEY = "an-id-key-of-more-than-32-characters";

    @AutoClose
    private UpstreamSim sim;
    @AutoClose
    private TestGateway gateway;
    @StartStop
    private final MockWebServer upstream = new MockWebServer();

    private void gateway(String upstreamUrl, String jobsYaml, String routeYaml) {
        gateway = TestGateway.oneRoute("jobs: { maxShare: 1 " + jobsYaml + " }", upstreamUrl, routeYaml,
                Map.of("JOBS_ID_KEY", ID_KEY));
    }

    private HttpResponse<String> submit(String prompt) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"" + prompt + "\",\"parameters\":{\"max_new_tokens\":6}}"))
                .header("Content-Type", "application/json").header("Prefer", "respond-async").build());
    }

    private static String idOf(HttpResponse<String> accepted) throws Exception {
        assertEquals(202, accepted.statusCode(), accepted.body());
        return JSON.readTree(accepted.body()).get("id").asText();
    }

    private JsonNode document(String id) throws Exception {
        return JSON.readTree(gateway.get("/v1/jobs/" + id).body());
    }

    @Test
    void onARouteWithoutAQueueAJobWithNoFreeSlotIsRefusedAtSubmissionAndNotStored() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(1).batchSlowdown(1).start();
        gateway(sim.url(), "", "admission: { maxInFlightPerEndpoint: 1, queue: 0 }");

        String running = idOf(submit("takes the only slot"));
        Await.until("the first job runs upstream", Duration.ofSeconds(5), () -> sim.stats().inFlight() == 1);
        HttpResponse<String> refused = submit("finds no slot and cannot wait");

        assertEquals(429, refused.statusCode(), refused.body());
        assertEquals("queue_full", refused.headers().firstValue("x-gateway-error").orElseThrow());
        assertTrue(Long.parseLong(refused.headers().firstValue("retry-after").orElseThrow()) >= 1);
        assertEquals("queue_full", JSON.readTree(refused.body()).get("error_type").asText(), "in the route's dialect");
        JsonNode jobs = JSON.readTree(gateway.get("/v1/jobs").body()).get("jobs");
        assertEquals(1, jobs.size(), jobs.toString());
        assertEquals(running, jobs.get(0).get("id").asText(), "no job was stored for the refused submission");
    }

    @Test
    void aRunningJobsDocumentShowsItsUpstreamAndEachAttemptAsItStarts() throws Exception {
        CountDownLatch release = new CountDownLatch(1);
        AtomicInteger calls = new AtomicInteger();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) throws InterruptedException {
                if (calls.incrementAndGet() == 1) {
                    return new MockResponse.Builder().code(502).body("{\"error\":\"down\"}").build();
                }
                release.await(10, TimeUnit.SECONDS);
                return new MockResponse.Builder().body("{\"generated_text\":\"done\"}")
                        .addHeader("Content-Type", "application/json").build();
            }
        });
        gateway("http://127.0.0.1:" + upstream.getPort(), "", "retry: { attempts: 2, backoff: 10ms }");

        String id = idOf(submit("retried once"));
        Await.until("the job's second attempt is under way", Duration.ofSeconds(5), () -> calls.get() == 2);
        JsonNode running = document(id);
        assertEquals("running", running.get("status").asText(), running.toString());
        assertEquals("primary", running.get("upstream").asText(), running.toString());
        assertEquals(2, running.get("attempts").asInt(), running.toString());

        release.countDown();
        JsonNode finished = JSON.readTree(gateway.get("/v1/jobs/" + id + "?wait=10s").body());
        assertEquals("succeeded", finished.get("status").asText(), finished.toString());
        assertEquals(2, finished.get("attempts").asInt(), "each attempt counted once: " + finished);
    }

    @Test
    void anIdThisGatewayIssuedButNoLongerKnowsIsGoneAndATypoIsNotFound() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(200).start();
        gateway(sim.url(), ", idKeyEnv: JOBS_ID_KEY", "");
        String id = idOf(submit("before the restart"));
        gateway.close();
        // A restart: the same key, an empty store.
        gateway(sim.url(), ", idKeyEnv: JOBS_ID_KEY", "");

        HttpResponse<String> lost = gateway.get("/v1/jobs/" + id);
        assertEquals(410, lost.statusCode(), lost.body());
        assertEquals("job_lost", lost.headers().firstValue("x-gateway-error").orElseThrow());
        JsonNode error = JSON.readTree(lost.body()).get("error");
        assertEquals("job_lost", error.get("type").asText(), lost.body());
        assertTrue(error.get("message").asText().contains("no longer knows it"), lost.body());
        assertEquals(410, gateway.get("/v1/jobs/" + id + "/result").statusCode());

        String typo = id.substring(0, 10) + (id.charAt(10) == 'x' ? 'y' : 'x') + id.substring(11);
        HttpResponse<String> notFound = gateway.get("/v1/jobs/" + typo);
        assertEquals(404, notFound.statusCode(), notFound.body());
        assertEquals("job_not_found", notFound.headers().firstValue("x-gateway-error").orElseThrow());
    }

    @Test
    void withoutAnIdKeyAnIdFromBeforeARestartIsNotFound() throws Exception {
        sim = UpstreamSim.builder().tokensPerSecond(200).start();
        gateway(sim.url(), "", "");
        String id = idOf(submit("before the restart"));
        assertEquals(200, gateway.get("/v1/jobs/" + id).statusCode());
        gateway.close();
        gateway(sim.url(), "", "");

        HttpResponse<String> unknown = gateway.get("/v1/jobs/" + id);
        assertEquals(404, unknown.statusCode(), unknown.body());
        assertEquals("job_not_found", unknown.headers().firstValue("x-gateway-error").orElseThrow());
    }
}
