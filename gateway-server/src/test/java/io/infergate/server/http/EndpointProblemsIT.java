package io.infergate.server.http;

import io.infergate.server.testing.LogCapture;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The gateway's own errors at an endpoint are logged once per cause and change, never once per request. */
class EndpointProblemsIT {

    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    @AutoClose
    private TestGateway gateway;

    private List<String> problemLines(LogCapture logs) {
        return logs.all().stream().filter(l -> l.logger().endsWith("EndpointProblems")).map(LogCapture.Line::text).toList();
    }

    private void reset() {
        upstream.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.ShutdownConnection.INSTANCE).build());
    }

    @Test
    void anEndpointThatResetsEveryRequestIsLoggedOnceAndOnceMoreWhenItAnswersWholeAgain() throws Exception {
        // The breaker stays closed, so that every request reaches the endpoint.
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(),
                "retry: { attempts: 1 }\nbreaker: { failures: 100 }");
        try (LogCapture logs = LogCapture.open()) {
            for (int i = 0; i < 5; i++) {
                reset();
                assertEquals("upstream_reset", gateway.get("/x").headers().firstValue("x-gateway-error").orElseThrow());
            }
            // Each of those requests opened a connection: that says nothing about a response that fails.
            List<String> afterResets = problemLines(logs);
            assertEquals(1, afterResets.size(), "once per endpoint and cause: " + afterResets);
            assertTrue(afterResets.get(0).contains("upstream_reset"), afterResets.get(0));

            upstream.enqueue(new MockResponse.Builder().body("whole").build());
            assertEquals("whole", gateway.get("/x").body());
            upstream.enqueue(new MockResponse.Builder().body("whole").build());
            assertEquals("whole", gateway.get("/x").body());
            reset();
            gateway.get("/x");

            List<String> lines = problemLines(logs);
            assertEquals(3, lines.size(), "the reset, the recovery, the reset again: " + lines);
            assertTrue(lines.get(1).contains("fine again after upstream_reset"), lines.get(1));
            assertTrue(lines.get(2).contains("upstream_reset"), lines.get(2));
        }
    }

    @Test
    void aFirstByteTimeoutAfterAResetIsANewCauseLoggedOnItsOwn() throws Exception {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(),
                "retry: { attempts: 1 }\nbreaker: { failures: 100 }\ntimeouts: { firstByte: 200ms }");
        try (LogCapture logs = LogCapture.open()) {
            reset();
            gateway.get("/x");
            upstream.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
            assertEquals(504, gateway.get("/x").statusCode());

            List<String> lines = problemLines(logs);
            assertEquals(2, lines.size(), lines.toString());
            assertTrue(lines.get(0).contains("upstream_reset") && lines.get(1).contains("first_byte_timeout"), lines.toString());
        }
    }
}
