package io.infergate.server;

import io.infergate.testing.Await;
import io.infergate.server.testing.TestGateway;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.SocketEffect;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.Socket;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class DrainIT {

    @StartStop
    private final MockWebServer upstream = new MockWebServer();
    @AutoClose
    private TestGateway gateway;

    @BeforeEach
    void start() {
        gateway = TestGateway.oneRoute("http://127.0.0.1:" + upstream.getPort(), "");
    }

    @Test
    void drainStopsAcceptingTurnsNotReadyAndLetsInFlightRequestsFinish() throws Exception {
        upstream.enqueue(new MockResponse.Builder().headersDelay(1, TimeUnit.SECONDS).body("done").build());
        CompletableFuture<HttpResponse<String>> inFlight = TestGateway.client().sendAsync(
                HttpRequest.newBuilder(gateway.uri("/slow")).build(), HttpResponse.BodyHandlers.ofString());
        Await.until("the upstream has the request", Duration.ofSeconds(5), () -> upstream.getRequestCount() == 1);
        assertEquals(200, gateway.admin("/readyz").statusCode());

        CompletableFuture<Boolean> drained = CompletableFuture.supplyAsync(() -> {
            try {
                return gateway.server().drain(Duration.ofSeconds(10));
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
        });
        Await.until("readyz answers 503", Duration.ofSeconds(5), () -> readyStatus() == 503);
        Await.until("the proxy port refuses connections", Duration.ofSeconds(5), this::proxyPortRefuses);

        HttpResponse<String> response = inFlight.get(10, TimeUnit.SECONDS);
        assertEquals(200, response.statusCode());
        assertEquals("done", response.body());
        assertTrue(drained.get(10, TimeUnit.SECONDS), "drain reported requests cut");
    }

    @Test
    void drainTimeoutCutsWhatIsStillInFlight() throws Exception {
        upstream.enqueue(new MockResponse.Builder().onResponseStart(SocketEffect.Stall.INSTANCE).build());
        CompletableFuture<HttpResponse<String>> inFlight = TestGateway.client().sendAsync(
                HttpRequest.newBuilder(gateway.uri("/stuck")).build(), HttpResponse.BodyHandlers.ofString());
        Await.until("the upstream has the request", Duration.ofSeconds(5), () -> upstream.getRequestCount() == 1);

        assertFalse(gateway.server().drain(Duration.ofMillis(300)));
        ExecutionException cut = assertThrows(ExecutionException.class, () -> inFlight.get(5, TimeUnit.SECONDS));
        assertTrue(cut.getCause() instanceof IOException, cut.toString());
    }

    private boolean proxyPortRefuses() {
        try (Socket probe = new Socket("127.0.0.1", gateway.port())) {
            return false;
        } catch (IOException refused) {
            return true;
        }
    }

    private int readyStatus() {
        try {
            return gateway.admin("/readyz").statusCode();
        } catch (Exception e) {
            return -1;
        }
    }
}
