package io.infergate.server.reload;

import io.infergate.server.testing.TestGateway;
import io.infergate.sim.UpstreamSim;
import io.infergate.testing.Await;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Twenty reloads in a row under load (100 plain requests a second and 50 streams of 20 s): routes
 * added and removed, an endpoint moved to another upstream, a tenant's limit and the heartbeat
 * changed. Not one request fails and every stream arrives whole, byte for byte as the model sent it,
 * its heartbeats aside (the tokens come 2.5 s apart).
 */
class ReloadUnderLoadIT {

    private static final String KEY = "reload-key-00000001";
    private static final int STREAMS = 50;
    private static final int RELOADS = 20;
    /** The simulator's answers to a limit this low always have exactly as many tokens: 20 s at 0.4 a second. */
    private static final int TOKENS = 8;

    @TempDir
    Path dir;
    @AutoClose
    private UpstreamSim slow;
    @AutoClose
    private UpstreamSim fast;
    @AutoClose
    private TestGateway gateway;
    @AutoClose("shutdownNow")
    private final ScheduledExecutorService load = Executors.newScheduledThreadPool(2);

    private String config(int generation) throws Exception {
        boolean odd = generation % 2 == 1;
        String extra = generation % 4 == 1 ? route("extra" + generation, "/extra/", "fast", fast.url()) : "";
        return """
                server: { port: 0, adminPort: 0 }
                tenants:
                  - { name: acme, keySha256: "%s", limits: { requestsPerMinute: %d } }
                routes:
                  - name: stream
                    match: { pathPrefix: /s/ }
                    stripPrefix: true
                    heartbeat: { interval: %s }
                    admission: { maxInFlightPerEndpoint: 128 }
                    upstreams: [ { name: slow, endpoints: [ "%s" ] } ]
                %s%s""".formatted(sha256(KEY), odd ? 1_000_000 : 2_000_000, odd ? "1s" : "2s", slow.url(),
                route("plain", "/p/", odd ? "fast-b" : "fast-a", fast.url()), extra);
    }

    private static String route(String name, String prefix, String upstream, String url) {
        return """
                  - name: %s
                    match: { pathPrefix: %s }
                    stripPrefix: true
                    admission: { maxInFlightPerEndpoint: 128 }
                    upstreams: [ { name: %s, endpoints: [ "%s" ] } ]
                """.formatted(name, prefix, upstream, url);
    }

    @Test
    void twentyReloadsUnderLoadFailNothingAndCutNoStream() throws Exception {
        slow = UpstreamSim.builder().maxBatch(256).maxQueue(0).tokensPerSecond(0.4).batchSlowdown(1).start();
        fast = UpstreamSim.builder().maxBatch(256).maxQueue(0).tokensPerSecond(1000).batchSlowdown(1).start();
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, config(0));
        gateway = TestGateway.startFromFile(file);

        List<CompletableFuture<String>> direct = new ArrayList<>();
        List<CompletableFuture<HttpResponse<String>>> streams = new ArrayList<>();
        for (int i = 0; i < STREAMS; i++) {
            String body = "{\"inputs\":\"story %d\",\"parameters\":{\"max_new_tokens\":%d,\"seed\":%d}}".formatted(i, TOKENS, i);
            streams.add(TestGateway.client().sendAsync(post(gateway.uri("/s/generate_stream"), body),
                    HttpResponse.BodyHandlers.ofString()));
            direct.add(TestGateway.client().sendAsync(post(URI.create(slow.url() + "/generate_stream"), body),
                    HttpResponse.BodyHandlers.ofString()).thenApply(HttpResponse::body));
        }
        ConcurrentLinkedQueue<String> failures = new ConcurrentLinkedQueue<>();
        AtomicInteger answered = new AtomicInteger();
        List<CompletableFuture<?>> plain = new ArrayList<>();
        var sender = load.scheduleAtFixedRate(() -> {
            CompletableFuture<?> answer = TestGateway.client().sendAsync(post(gateway.uri("/p/generate"),
                                    "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":2}}"), HttpResponse.BodyHandlers.ofString())
                    .whenComplete((response, failure) -> {
                        answered.incrementAndGet();
                        if (failure != null || response.statusCode() != 200) {
                            failures.add(failure != null ? failure.toString() : response.statusCode() + " " + response.body());
                        }
                    });
            synchronized (plain) {
                plain.add(answer);
            }
        }, 0, 10, TimeUnit.MILLISECONDS);

        for (int generation = 1; generation <= RELOADS; generation++) {
            // Paced by the traffic: each reload comes after 80 more answers, about 0.8 s at 100 a second.
            int before = answered.get();
            Await.until("80 more answers", Duration.ofSeconds(30), () -> answered.get() >= before + 80);
            Files.writeString(file, config(generation));
            HttpResponse<String> reloaded = gateway.reload();
            assertEquals(200, reloaded.statusCode(), reloaded.body());
            assertTrue(reloaded.body().contains("\"applied\""), reloaded.body());
            if (generation % 4 == 1) {
                assertEquals(200, gateway.get("/extra/info").statusCode(), "the new route answers at once");
            } else if (generation % 4 == 2) {
                assertEquals(404, gateway.get("/extra/info").statusCode(), "the removed route is gone at once");
            }
        }
        sender.cancel(false);
        List<CompletableFuture<?>> sent;
        synchronized (plain) {
            sent = List.copyOf(plain);
        }
        CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);
        assertEquals(List.of(), List.copyOf(failures), "plain requests that failed");
        assertTrue(sent.size() > 1000, "load was sent: " + sent.size());

        for (int i = 0; i < STREAMS; i++) {
            HttpResponse<String> stream = streams.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(200, stream.statusCode(), stream.body());
            String expected = direct.get(i).get(60, TimeUnit.SECONDS);
            assertEquals(expected, stream.body().replace(": keep-alive\n\n", ""), "stream " + i + " byte for byte");
            assertTrue(expected.contains("\"index\":" + TOKENS + ",") && expected.contains("\"generated_text\":\""),
                    "the whole answer: " + expected);
        }
    }

    private static HttpRequest post(URI uri, String body) {
        return HttpRequest.newBuilder(uri).header("Content-Type", "application/json").header("X-API-Key", KEY)
                .timeout(Duration.ofSeconds(60)).POST(HttpRequest.BodyPublishers.ofString(body)).build();
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
