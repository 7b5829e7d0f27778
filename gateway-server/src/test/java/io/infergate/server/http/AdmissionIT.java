package io.infergate.server.http;

import io.infergate.core.metrics.MeterNames;
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
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Admission: a bounded queue in front of each route, shedding early by prediction and by reported load. */
class AdmissionIT {

    private static final String SLOW_BODY = "{\"inputs\":\"overload\",\"parameters\":{\"max_new_tokens\":8}}";

    @AutoClose
    private UpstreamSim sim;
    @AutoClose
    private TestGateway gateway;
    @StartStop
    private final MockWebServer upstream = new MockWebServer();


    private void gateway(String url, String routeYaml) {
        gateway = TestGateway.start("""
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                %s
                    upstreams:
                      - name: model
                        endpoints: [ "%s" ]
                """.formatted(TestGateway.indent(routeYaml, "    "), url));
    }

    private CompletableFuture<HttpResponse<String>> postAsync(String body, String timeoutSeconds) {
        return TestGateway.client().sendAsync(HttpRequest.newBuilder(gateway.uri("/generate"))
                        .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json")
                        .header("X-Request-Timeout", timeoutSeconds).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> post(String body) throws Exception {
        return postAsync(body, "30").get(10, TimeUnit.SECONDS);
    }

    @Test
    void fourTimesTheCapacityIsServedOrShedInTimeAndTheEndpointIsNeverPushedPastItsLimit() throws Exception {
        // 4 slots, 8 tokens at 10 tokens/s: about a second a request, when nothing else slows it.
        sim = UpstreamSim.builder().maxBatch(4).maxQueue(0).tokensPerSecond(10).batchSlowdown(1).start();
        gateway(sim.url(), "admission: { maxInFlightPerEndpoint: 4, queue: 64, maxQueueWait: 3s }");

        List<CompletableFuture<HttpResponse<String>>> answers = new ArrayList<>();
        List<Long> sentAt = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            sentAt.add(System.nanoTime());
            answers.add(postAsync(SLOW_BODY, "4"));
        }
        int served = 0;
        for (int i = 0; i < answers.size(); i++) {
            HttpResponse<String> response = answers.get(i).get(15, TimeUnit.SECONDS);
            long millis = Duration.ofNanos(System.nanoTime() - sentAt.get(i)).toMillis();
            String cause = response.headers().firstValue("x-gateway-error").orElse("");
            if (response.statusCode() == 200) {
                served++;
            } else {
                assertEquals(429, response.statusCode(), cause + ": " + response.body());
                assertEquals("shed_overload", cause);
                assertTrue(Long.parseLong(response.headers().firstValue("retry-after").orElseThrow()) >= 1);
            }
            assertTrue(millis < 4_500, "answered within the client's 4 s deadline, took " + millis + " ms");
        }
        assertTrue(served >= 8, served + " of 16 served");
        assertEquals(0, sim.stats().overloaded(), "the endpoint never had to refuse anything itself");
        assertTrue(sim.stats().maxConcurrent() <= 4, "batch peaked at " + sim.stats().maxConcurrent());
    }

    @Test
    void aQueuedRequestWhoseDeadlinePassesIsAnswered504AndNeverForwardedLate() throws Exception {
        sim = UpstreamSim.builder().maxBatch(1).maxQueue(0).tokensPerSecond(4).batchSlowdown(1).start();
        gateway(sim.url(), "admission: { maxInFlightPerEndpoint: 1, queue: 8, maxQueueWait: 30s }");
        // A short request first teaches the estimator a quarter-second service time, so the late
        // request's predicted wait fits its deadline and it is queued rather than shed.
        assertEquals(200, post("{\"inputs\":\"short\",\"parameters\":{\"max_new_tokens\":1}}").statusCode());
        CompletableFuture<HttpResponse<String>> first = postAsync(SLOW_BODY, "10");
        Await.until("the first request holds the only slot", Duration.ofSeconds(5), () -> sim.stats().inFlight() == 1);
        HttpResponse<String> late = postAsync(SLOW_BODY, "1").get(5, TimeUnit.SECONDS);
        assertEquals(504, late.statusCode());
        assertEquals("deadline_exceeded", late.headers().firstValue("x-gateway-error").orElseThrow());
        assertEquals(200, first.get(10, TimeUnit.SECONDS).statusCode());
        assertEquals(2, sim.stats().requestsReceived(), "the late one was never sent");
    }

    private void answerWithLoad(String header, String value, AtomicInteger requests) {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                requests.incrementAndGet();
                return new MockResponse.Builder().setHeader(header, value).body("{\"generated_text\":\"x\"}").build();
            }
        });
    }

    @Test
    void anOrcaReportPastTheThresholdShedsAtOnceUntilItGoesStale() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        answerWithLoad("endpoint-load-metrics", "TEXT named_metrics.gpu_utilization=0.97", requests);
        gateway(upstream.url("/").toString(), """
                admission: { shedAtGpuUtilization: 0.9 }
                load: { staleAfter: 1s }""");
        assertEquals(200, post("{}").statusCode());
        HttpResponse<String> shed = post("{}");
        assertEquals(429, shed.statusCode());
        assertEquals("shed_overload", shed.headers().firstValue("x-gateway-error").orElseThrow());
        assertTrue(shed.headers().firstValue("retry-after").isPresent());
        assertEquals(1, requests.get(), "the shed request never reached the endpoint");
        assertEquals(1.0, gateway.server().registry().find(MeterNames.SHED).tag("route", "chat")
                .tag("cause", "shed_overload").tag("tier", "standard").counter().count());
        String upstreams = gateway.admin("/admin/upstreams").body();
        assertTrue(upstreams.contains("\"gpuUtilization\" : 0.97"), upstreams);
        Await.untilHolds("the report goes stale and requests are admitted again", Duration.ofSeconds(5),
                () -> post("{}").statusCode() == 200);
    }

    @Test
    void aRouteNamedHeaderInPercentShedsToo() throws Exception {
        AtomicInteger requests = new AtomicInteger();
        answerWithLoad("X-GPU-Utilization", "97", requests);
        gateway(upstream.url("/").toString(), """
                admission: { shedAtGpuUtilization: 0.9 }
                load: { headers: { gpuUtilization: X-GPU-Utilization } }""");
        assertEquals(200, post("{}").statusCode());
        assertEquals(429, post("{}").statusCode());
        assertEquals(1, requests.get());
    }

    @Test
    void aPolledQueueDepthPastTheThresholdSheds() throws Exception {
        AtomicInteger generations = new AtomicInteger();
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                String path = request.getUrl().encodedPath();
                if (path.equals("/metrics")) {
                    return new MockResponse.Builder().body("# TYPE tgi_queue_size gauge\ntgi_queue_size 50\n"
                            + "# TYPE tgi_batch_current_size gauge\ntgi_batch_current_size 8\n").build();
                }
                if (path.equals("/info")) {
                    return new MockResponse.Builder().body("{\"max_concurrent_requests\":128}").build();
                }
                generations.incrementAndGet();
                return new MockResponse.Builder().body("{\"generated_text\":\"x\"}").build();
            }
        });
        gateway(upstream.url("/").toString(), """
                admission: { shedAtQueueDepth: 32 }
                load: { poll: { every: 200ms, timeout: 150ms } }""");
        Await.untilHolds("the poller has read the queue and the route sheds", Duration.ofSeconds(5),
                () -> post("{}").statusCode() == 429);
        int before = generations.get();
        assertEquals(429, post("{}").statusCode());
        assertEquals(before, generations.get());
    }
}
