package io.infergate.server;

import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class AdminIT {

    @Test
    void healthReadinessAndRequestDurationsByRouteUpstreamAndStatus() throws Exception {
        try (MockWebServer upstream = new MockWebServer()) {
            upstream.start();
            upstream.enqueue(new MockResponse.Builder().body("a").build());
            upstream.enqueue(new MockResponse.Builder().body("b").build());
            upstream.enqueue(new MockResponse.Builder().code(503).body("c").build());
            try (TestGateway gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(), "retry: { attempts: 1 }")) {
                assertEquals("ok\n", gateway.admin("/healthz").body());
                assertEquals(200, gateway.admin("/readyz").statusCode());
                for (int i = 0; i < 3; i++) {
                    gateway.get("/x");
                }

                // The client has its answer a moment before the exchange counts itself.
                Await.untilHolds("the third request is counted", Duration.ofSeconds(5),
                        () -> gateway.admin("/metrics").body().contains("gateway_inflight_requests{route=\"main\"} 0.0"));
                HttpResponse<String> metrics = gateway.admin("/metrics");
                assertEquals(200, metrics.statusCode());
                assertTrue(metrics.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));
                String body = metrics.body();
                assertTrue(body.contains(
                        "gateway_request_duration_seconds_count{outcome=\"success\",route=\"main\",status=\"200\",upstream=\"primary\"} 2"),
                        body);
                assertTrue(body.contains(
                        "gateway_request_duration_seconds_count{outcome=\"success\",route=\"main\",status=\"503\",upstream=\"primary\"} 1"),
                        body);
                assertTrue(body.contains("jvm_memory_used_bytes"), "JVM meters missing");
                assertEquals(404, gateway.admin("/nope").statusCode());
            }
        }
    }
}
