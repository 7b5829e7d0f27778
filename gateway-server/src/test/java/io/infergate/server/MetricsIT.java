package io.infergate.server;

import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.PrometheusText;
import io.infergate.server.testing.PrometheusText.Bucket;
import io.infergate.server.testing.PrometheusText.Sample;
import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import mockwebserver3.Dispatcher;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Pattern;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Known traffic through a real gateway, then its {@code /metrics}: exact counts per label set,
 * histograms that add up, percentiles that make sense, and every meter of the contract present.
 */
class MetricsIT {

    private static final int OK = 20;
    private static final int FAILED = 3;
    private static final int STREAMS = 2;
    private static final int EVENTS_PER_STREAM = 3;
    private static final Pattern SERVER_TIMING = Pattern.compile(
            "(body;dur=\\d+(\\.\\d)?, )?queue;dur=\\d+(\\.\\d)?, (retry;dur=\\d+(\\.\\d)?, )?connect;dur=\\d+(\\.\\d)?, "
                    + "upstream;dur=\\d+(\\.\\d)?, total;dur=\\d+(\\.\\d)?");
    private static final String STREAM_BODY = """
            data: {"index":1,"token":{"text":" a"},"generated_text":null}

            data: {"index":2,"token":{"text":" b"},"generated_text":null}

            data: {"index":3,"token":{"text":" c"},"generated_text":" a b c"}

            """;

    private final MockWebServer upstream = new MockWebServer();
    private final Set<Integer> upstreamConnections = ConcurrentHashMap.newKeySet();
    private TestGateway gateway;
    private String endpoint;

    @BeforeEach
    void start(@TempDir Path dir) throws Exception {
        upstream.setDispatcher(new Dispatcher() {
            @Override
            public MockResponse dispatch(RecordedRequest request) {
                upstreamConnections.add(request.getConnectionIndex());
                return switch (request.getUrl().encodedPath()) {
                    case "/ok" -> new MockResponse.Builder().body("ok").setHeader("x-generated-tokens", "5").build();
                    case "/fail" -> new MockResponse.Builder().code(500).body("{\"error\":\"boom\"}").build();
                    case "/generate_stream" -> new MockResponse.Builder()
                            .setHeader("Content-Type", "text/event-stream").body(STREAM_BODY).build();
                    default -> new MockResponse.Builder().code(404).build();
                };
            }
        });
        upstream.start();
        endpoint = "http://127.0.0.1:" + upstream.getPort();
        gateway = TestGateway.startFromFile(dir, """
                routes:
                  - name: stream
                    match: { pathPrefix: /generate_stream }
                    retry: { attempts: 1 }
                    timeouts: { firstByte: 30s, total: 60s }
                    upstreams:
                      - name: primary
                        endpoints: [ "%1$s" ]
                  - name: main
                    match: { pathPrefix: / }
                    retry: { attempts: 1 }
                    timeouts: { firstByte: 20s, total: 45s }
                    upstreams:
                      - name: primary
                        endpoints: [ "%1$s" ]
                """.formatted(endpoint));
    }

    @AfterEach
    void stop() throws Exception {
        gateway.close();
        upstream.close();
    }

    private void sendKnownTraffic() throws Exception {
        for (int i = 0; i < OK; i++) {
            HttpResponse<String> response = gateway.get("/ok");
            assertEquals(200, response.statusCode());
            assertServerTiming(response);
        }
        for (int i = 0; i < FAILED; i++) {
            HttpResponse<String> response = gateway.get("/fail");
            assertEquals(500, response.statusCode());
            assertServerTiming(response);
        }
        for (int i = 0; i < STREAMS; i++) {
            HttpResponse<String> response = TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate_stream"))
                    .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\"}")).build());
            assertEquals(STREAM_BODY, response.body());
            assertServerTiming(response);
        }
    }

    private static void assertServerTiming(HttpResponse<String> response) {
        String timing = response.headers().firstValue("server-timing").orElse("(none)");
        assertTrue(SERVER_TIMING.matcher(timing).matches(), timing);
    }

    /** The scrape once every request has been counted: a response reaches the client just before its exchange ends. */
    private PrometheusText scrapeAfter(int requests) {
        PrometheusText[] last = new PrometheusText[1];
        Await.until(requests + " requests counted", Duration.ofSeconds(5), () -> {
            last[0] = scrape();
            return last[0].sum(MeterNames.REQUESTS, Map.of()) == requests
                    && last[0].sum(MeterNames.INFLIGHT_REQUESTS, Map.of()) == 0;
        });
        return last[0];
    }

    private PrometheusText scrape() {
        try {
            HttpResponse<String> response = gateway.admin("/metrics");
            assertEquals(200, response.statusCode());
            return new PrometheusText(response.body());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static Map<String, String> labels(String... keysAndValues) {
        Map<String, String> labels = new HashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            labels.put(keysAndValues[i], keysAndValues[i + 1]);
        }
        return labels;
    }

    @Test
    void countsAreExactPerRouteStatusAndOutcome() throws Exception {
        sendKnownTraffic();
        PrometheusText metrics = scrapeAfter(OK + FAILED + STREAMS);

        assertEquals(OK, metrics.value(MeterNames.REQUESTS, labels("route", "main", "status", "200", "outcome", "success")));
        assertEquals(FAILED, metrics.value(MeterNames.REQUESTS, labels("route", "main", "status", "500", "outcome", "success")));
        assertEquals(STREAMS, metrics.value(MeterNames.REQUESTS, labels("route", "stream", "status", "200", "outcome", "success")));
        String duration = MeterNames.REQUEST_DURATION + "_count";
        assertEquals(OK, metrics.value(duration, labels("route", "main", "upstream", "primary", "status", "200", "outcome", "success")));
        assertEquals(FAILED, metrics.value(duration, labels("route", "main", "upstream", "primary", "status", "500", "outcome", "success")));
        assertEquals(STREAMS, metrics.value(duration, labels("route", "stream", "upstream", "primary", "status", "200", "outcome", "success")));

        assertEquals(STREAMS, metrics.value(MeterNames.TIME_TO_FIRST_TOKEN + "_count", labels("route", "stream", "upstream", "primary")));
        assertEquals(0, metrics.value(MeterNames.TIME_TO_FIRST_TOKEN + "_count", labels("route", "main", "upstream", "primary")));
        assertEquals(STREAMS * (EVENTS_PER_STREAM - 1), metrics.value(MeterNames.STREAM_INTER_EVENT + "_count", labels("route", "stream")));
        assertEquals(upstreamConnections.size(),
                metrics.value(MeterNames.UPSTREAM_CONNECT + "_count", labels("upstream", "primary", "endpoint", endpoint)),
                "a new connection each time the upstream saw one");

        for (String route : List.of("main", "stream")) {
            assertEquals(0, metrics.value(MeterNames.RETRIES, labels("route", route, "upstream", "primary")));
            assertEquals(0, metrics.value(MeterNames.FALLBACK, labels("route", route, "upstream", "primary")));
            assertEquals(0, metrics.value(MeterNames.HEARTBEATS, labels("route", route)));
            assertEquals(0, metrics.value(MeterNames.STREAM_CANCELLED, labels("route", route)));
            assertEquals(0, metrics.value(MeterNames.STREAM_TRUNCATED, labels("route", route)));
            assertEquals(0, metrics.value(MeterNames.INFLIGHT_REQUESTS, labels("route", route)));
            assertEquals(0, metrics.value(MeterNames.QUEUE_DEPTH, labels("route", route)));
        }
        assertEquals(45, metrics.value(MeterNames.ROUTE_TIMEOUT, labels("route", "main", "kind", "total")));
        assertEquals(20, metrics.value(MeterNames.ROUTE_TIMEOUT, labels("route", "main", "kind", "firstByte")));
        assertEquals(60, metrics.value(MeterNames.ROUTE_TIMEOUT, labels("route", "stream", "kind", "total")));
        assertEquals(0, metrics.value(MeterNames.BREAKER_STATE, labels("endpoint", endpoint)));
        assertEquals(0, metrics.value(MeterNames.ENDPOINT_WARMING, labels("endpoint", endpoint)));
        assertEquals(0, metrics.value(MeterNames.COLD_STARTS, labels("endpoint", endpoint)));
    }

    @Test
    void histogramBucketsAddUpAndHaveBoundsAtTheRoutesTimeouts() throws Exception {
        sendKnownTraffic();
        PrometheusText metrics = scrapeAfter(OK + FAILED + STREAMS);

        for (String histogram : List.of(MeterNames.REQUEST_DURATION, MeterNames.TIME_TO_FIRST_TOKEN,
                MeterNames.STREAM_INTER_EVENT, MeterNames.QUEUE_WAIT, MeterNames.UPSTREAM_CONNECT)) {
            Map<Map<String, String>, List<Sample>> series = new HashMap<>();
            for (Sample bucket : metrics.samples(histogram + "_bucket", Map.of())) {
                Map<String, String> key = new HashMap<>(bucket.labels());
                key.remove("le");
                series.computeIfAbsent(key, k -> new ArrayList<>()).add(bucket);
            }
            assertFalse(series.isEmpty(), histogram);
            List<String> bounds = null;
            for (var entry : series.entrySet()) {
                List<String> les = entry.getValue().stream().map(s -> s.labels().get("le")).toList();
                assertEquals("+Inf", les.get(les.size() - 1), histogram + entry.getKey());
                if (bounds != null) {
                    assertEquals(bounds, les, histogram + ": every series has the same bounds, so they can be summed");
                }
                bounds = les;
                double previous = 0;
                for (Sample bucket : entry.getValue()) {
                    assertTrue(bucket.value() >= previous, histogram + entry.getKey() + " is cumulative at le=" + bucket.labels().get("le"));
                    previous = bucket.value();
                }
                assertEquals(metrics.value(histogram + "_count", entry.getKey()), previous, histogram + entry.getKey() + ": +Inf is the count");
            }
        }

        List<Double> bounds = metrics.buckets(MeterNames.REQUEST_DURATION, labels("route", "main")).stream().map(Bucket::le).toList();
        for (double timeout : new double[] {36, 45, 16, 20, 48, 60, 24, 30}) {
            assertTrue(bounds.contains(timeout), "80 % and 100 % of both routes' total and firstByte: " + timeout + " in " + bounds);
        }
        assertTrue(bounds.containsAll(List.of(0.005, 1.0, 600.0)), bounds.toString());
    }

    @Test
    void percentilesFromTheBucketsStayWithinTheLargestObservation() throws Exception {
        sendKnownTraffic();
        PrometheusText metrics = scrapeAfter(OK + FAILED + STREAMS);

        for (String route : List.of("main", "stream")) {
            List<Bucket> buckets = metrics.buckets(MeterNames.REQUEST_DURATION, labels("route", route));
            double p50 = PrometheusText.quantile(0.5, buckets);
            double p95 = PrometheusText.quantile(0.95, buckets);
            double p99 = PrometheusText.quantile(0.99, buckets);
            double max = metrics.samples(MeterNames.REQUEST_DURATION + "_max", labels("route", route)).stream()
                    .mapToDouble(Sample::value).max().orElseThrow();
            // histogram_quantile interpolates inside a bucket, so it may pass the largest observation
            // but never the bound of the bucket that holds it.
            double maxBound = buckets.stream().mapToDouble(Bucket::le).filter(le -> le >= max).min().orElseThrow();
            assertTrue(0 < p50 && p50 <= p95 && p95 <= p99, route + ": p50 " + p50 + ", p95 " + p95 + ", p99 " + p99);
            assertTrue(p99 <= maxBound, route + ": p99 " + p99 + " beyond the bucket of the max " + max + " (" + maxBound + ")");
            assertTrue(max < 5, route + ": a request to a local upstream took " + max + " s");
        }
    }

    @Test
    void everyContractMeterIsThereBeforeAnyRequestAndTheJvmAndNettyOnesToo() {
        PrometheusText metrics = scrape();

        Set<String> families = metrics.families();
        for (String meter : MeterNames.all()) {
            // The store's are there only with store.redis: SharedRateLimitIT checks them.
            assertTrue(families.contains(meter) || MeterNames.sharedStore().contains(meter),
                    meter + " missing from " + families);
        }
        assertEquals(0, metrics.sum(MeterNames.REQUESTS, Map.of()));
        for (String tier : List.of("premium", "standard", "free")) {
            for (String cause : List.of("shed_overload", "queue_full")) {
                assertEquals(0, metrics.value(MeterNames.SHED, labels("route", "main", "cause", cause, "tier", tier)));
            }
            assertEquals(0, metrics.value(MeterNames.RATE_LIMITED, labels("route", "main", "tier", tier)));
            assertEquals(0, metrics.value(MeterNames.QUEUE_WAIT + "_count", labels("route", "main", "tier", tier)));
        }
        List<Sample> load = metrics.samples(MeterNames.UPSTREAM_LOAD, labels("endpoint", endpoint));
        assertEquals(8, load.size(), load.toString());
        assertTrue(load.stream().allMatch(s -> Double.isNaN(s.value())), "no load reported yet: " + load);

        for (String family : List.of("jvm_memory_used_bytes", "jvm_gc_memory_allocated_bytes_total", "jvm_threads_live_threads",
                "netty_allocator_memory_used_bytes", "netty_eventloop_pending_tasks", "netty_client_connections")) {
            assertTrue(families.contains(family), family + " missing");
        }
        assertEquals(1, metrics.samples("netty_allocator_memory_used_bytes", labels("memory_type", "direct")).size());
        assertEquals(Runtime.getRuntime().availableProcessors(), metrics.samples("netty_eventloop_pending_tasks", Map.of()).size());
    }
}
