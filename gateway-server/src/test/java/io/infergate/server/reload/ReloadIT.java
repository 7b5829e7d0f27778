package io.infergate.server.reload;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.RecordingUpstream;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.UpstreamSim;
import io.infergate.testing.Await;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Reloading a running gateway's config: what a reload applies, refuses and carries over, over real sockets. */
class ReloadIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SERVER = "server: { port: 0, adminPort: 0 }\n";
    private static final Duration WAIT = Duration.ofSeconds(10);

    @TempDir
    Path dir;
    @AutoClose
    private UpstreamSim a;
    @AutoClose
    private UpstreamSim b;
    @StartStop
    private final MockWebServer failing = new MockWebServer();
    @AutoClose
    private TestGateway gateway;
    private Path file;

    @BeforeEach
    void simulators() throws Exception {
        a = UpstreamSim.builder().modelId("model-a").start();
        b = UpstreamSim.builder().modelId("model-b").start();
        file = dir.resolve("gateway.yaml");
    }

    private static String route(String name, String prefix, String url) {
        return """
                  - name: %s
                    match: { pathPrefix: %s }
                    stripPrefix: true
                    upstreams: [ { name: model, endpoints: [ "%s" ] } ]
                """.formatted(name, prefix, url);
    }

    private void write(String yaml) throws Exception {
        Files.writeString(file, yaml);
    }

    private double reloads(String outcome) throws Exception {
        return gateway.metrics().value(MeterNames.CONFIG_RELOADS, Map.of("outcome", outcome));
    }

    private static JsonNode json(HttpResponse<String> response) throws Exception {
        return JSON.readTree(response.body());
    }

    @Test
    void aRouteAddedAnswersAtOnceAndARouteRemovedAnswers404() throws Exception {
        write(SERVER + "routes:\n" + route("first", "/a/", a.url()));
        gateway = TestGateway.startFromFile(file);
        assertEquals(404, gateway.get("/b/info").statusCode());

        HttpResponse<String> same = gateway.reload();
        assertEquals(200, same.statusCode());
        assertEquals("unchanged", json(same).get("outcome").asText());

        write(SERVER + "routes:\n" + route("first", "/a/", a.url()) + route("second", "/b/", b.url()));
        HttpResponse<String> added = gateway.reload();
        assertEquals(200, added.statusCode(), added.body());
        assertEquals("applied", json(added).get("outcome").asText());
        assertEquals("second", json(added).at("/changes/routes/added/0").asText());
        assertEquals("routes added second; upstreams added second/model; endpoints added " + b.url(),
                json(added).get("summary").asText());
        HttpResponse<String> second = gateway.get("/b/info");
        assertEquals(200, second.statusCode());
        assertTrue(second.body().contains("model-b"), second.body());

        write(SERVER + "routes:\n" + route("first", "/a/", a.url()));
        assertEquals("applied", json(gateway.reload()).get("outcome").asText());
        assertEquals(404, gateway.get("/b/info").statusCode());
        assertTrue(gateway.get("/a/info").body().contains("model-a"));

        assertReloads(2, 1, 0);
        String upstreams = gateway.admin("/admin/upstreams").body();
        assertFalse(upstreams.contains(b.url()), "the removed endpoint is gone from the page: " + upstreams);
        var metrics = gateway.metrics();
        assertEquals(1, metrics.samples(MeterNames.CONFIG_LOADED, Map.of()).size(), "one file is served");
        double loadedAt = metrics.value(MeterNames.CONFIG_LOADED, Map.of("sha256", sha256(Files.readString(file))));
        assertTrue(Math.abs(loadedAt - System.currentTimeMillis() / 1000.0) < 60, "loaded just now: " + loadedAt);
    }

    @Test
    void aJobWaitingOnARouteAReloadRemovedIsSentAsItsRequestWouldBeNowNotLeftWaiting() throws Exception {
        // One job slot on the route (half of its one endpoint slot, at least one): a long job holds it.
        write(SERVER + "routes:\n" + route("old", "/old/", a.url()) + "    admission: { maxInFlightPerEndpoint: 1 }\n");
        gateway = TestGateway.startFromFile(file);
        String running = submitJob("/old/generate", 400);
        Await.untilHolds("the long job runs", WAIT, () -> "running".equals(job(running).get("status").asText()));
        String waiting = submitJob("/old/generate", 4);
        assertEquals("queued", job(waiting).get("status").asText(), "the route's one job slot is taken");

        write(SERVER + "routes:\n" + route("other", "/other/", b.url()));
        assertEquals("applied", json(gateway.reload()).get("outcome").asText());

        HttpResponse<String> ended = gateway.get("/v1/jobs/" + waiting + "?wait=10s");
        JsonNode failed = json(ended);
        assertEquals("failed", failed.get("status").asText(), failed.toString());
        assertEquals("no_route", failed.at("/error/type").asText(), "as its request would be answered now");
        assertEquals("running", job(running).get("status").asText(), "a job already running goes on");
    }

    private String submitJob(String path, int tokens) throws Exception {
        HttpResponse<String> accepted = TestGateway.send(HttpRequest.newBuilder(gateway.uri(path))
                .header("Prefer", "respond-async").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":"
                        + tokens + "}}")).build());
        assertEquals(202, accepted.statusCode(), accepted.body());
        return json(accepted).get("id").asText();
    }

    private JsonNode job(String id) throws Exception {
        return json(gateway.get("/v1/jobs/" + id));
    }

    @Test
    void aBrokenFileOrOneThatMovesThePortChangesNothing() throws Exception {
        write(SERVER + "routes:\n" + route("first", "/a/", a.url()));
        gateway = TestGateway.startFromFile(file);

        write(SERVER + "routes:\n  - name: first\n    match: { pathPrefix: /a/ }\n    upstreams: [ { name: m, endpoints: [ \"not a url\" ] } ]\n");
        HttpResponse<String> broken = gateway.reload();
        assertEquals(422, broken.statusCode());
        assertEquals("refused", json(broken).get("outcome").asText());
        assertTrue(json(broken).at("/problems/0").asText().startsWith("routes[0].upstreams[0].endpoints[0]: "), broken.body());
        assertEquals(200, gateway.get("/a/info").statusCode());

        write("server: { port: 1, adminPort: 0 }\nroutes:\n" + route("first", "/a/", a.url()) + route("second", "/b/", b.url()));
        HttpResponse<String> port = gateway.reload();
        assertEquals(422, port.statusCode());
        assertEquals("server.port: cannot change while the gateway runs (0 -> 1); restart it to apply",
                json(port).at("/problems/0").asText());
        assertEquals(404, gateway.get("/b/info").statusCode(), "no part of a refused file is applied");
        assertEquals(200, gateway.get("/a/info").statusCode());

        Files.delete(file);
        assertEquals(422, gateway.reload().statusCode());
        assertReloads(0, 0, 3);
    }

    @Test
    void anOpenBreakerStaysOpenWhileItsEndpointStaysAndGoesWithIt() throws Exception {
        // A deadline shorter than the breaker's open time: a request is answered breaker_open at once, not held for the probe.
        String breaker = "    breaker: { failures: 1, window: 30s, openFor: 5m }\n    retry: { attempts: 1 }\n"
                + "    timeouts: { total: 30s }\n";
        String failingUrl = failing.url("/").toString();
        write(SERVER + "routes:\n" + route("first", "/a/", failingUrl) + breaker);
        gateway = TestGateway.startFromFile(file);
        failing.enqueue(new MockResponse.Builder().code(500).body("broken").build());
        gateway.get("/a/generate");
        assertEquals("open", breakerOf(failingUrl));

        write(SERVER + "routes:\n" + route("renamed", "/x/", failingUrl) + breaker.replace("5m", "10m"));
        assertEquals("applied", json(gateway.reload()).get("outcome").asText());
        assertEquals("open", breakerOf(failingUrl), "the endpoint stayed, and so did its breaker");
        HttpResponse<String> refused = gateway.get("/x/generate");
        assertEquals(502, refused.statusCode());
        assertEquals("breaker_open", refused.headers().firstValue("X-Gateway-Error").orElseThrow());

        write(SERVER + "routes:\n" + route("renamed", "/x/", a.url()) + breaker);
        assertEquals("applied", json(gateway.reload()).get("outcome").asText());
        assertNull(breakerOf(failingUrl), "the endpoint is gone, and so is its breaker");
        assertEquals(200, gateway.get("/x/info").statusCode());
        assertEquals(1, failing.getRequestCount());
    }

    private String breakerOf(String url) throws Exception {
        for (JsonNode endpoint : JSON.readTree(gateway.admin("/admin/upstreams").body()).get("endpoints")) {
            if (url.startsWith(endpoint.get("url").asText())) {
                return endpoint.at("/breaker/state").asText();
            }
        }
        return null;
    }

    @Test
    void aRemovedEndpointsIdleConnectionClosesAtOnce() throws Exception {
        try (RecordingUpstream removed = new RecordingUpstream()) {
            write(SERVER + "routes:\n" + route("first", "/a/", removed.url()));
            gateway = TestGateway.startFromFile(file);
            assertEquals(200, gateway.get("/a/generate").statusCode());
            assertEquals(1, removed.openConnections(), "pooled for the next request");

            write(SERVER + "routes:\n" + route("first", "/a/", a.url()));
            assertEquals("applied", json(gateway.reload()).get("outcome").asText());

            Await.until("the pooled connection to the removed endpoint is closed", Duration.ofSeconds(5),
                    () -> removed.openConnections() == 0);
            assertEquals(200, gateway.get("/a/info").statusCode());
        }
    }

    @Test
    void aTenantsOldKeyStopsWorkingAtOnce() throws Exception {
        String tenants = "auth: { required: true }\ntenants:\n  - { name: acme, keySha256: \"%s\" }\n";
        write(SERVER + tenants.formatted(sha256("old-key-0000000001")) + "routes:\n" + route("first", "/a/", a.url()));
        gateway = TestGateway.startFromFile(file);
        assertEquals(200, withKey("old-key-0000000001").statusCode());

        write(SERVER + tenants.formatted(sha256("new-key-0000000001")) + "routes:\n" + route("first", "/a/", a.url()));
        HttpResponse<String> applied = gateway.reload();
        assertEquals("tenants changed acme", json(applied).get("summary").asText());

        assertEquals(401, withKey("old-key-0000000001").statusCode());
        assertEquals(200, withKey("new-key-0000000001").statusCode());
    }

    private HttpResponse<String> withKey(String key) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri("/a/info")).header("X-API-Key", key).GET().build());
    }

    @Test
    void reloadIsAPostAndAGatewayWithoutAFileSaysSo() throws Exception {
        write(SERVER + "routes:\n" + route("first", "/a/", a.url()));
        gateway = TestGateway.startFromFile(file);
        HttpResponse<String> get = gateway.admin("/admin/reload");
        assertEquals(405, get.statusCode());
        assertEquals("POST", get.headers().firstValue("Allow").orElseThrow());

        try (TestGateway noFile = TestGateway.start("routes:\n" + route("first", "/a/", a.url()))) {
            HttpResponse<String> refused = noFile.reload();
            assertEquals(409, refused.statusCode());
            assertTrue(refused.body().contains("started without a config file"), refused.body());
        }
    }

    @Test
    void aConfigMapSymlinkSwapReloadsExactlyOnce() throws Exception {
        // As the kubelet lays out a mounted ConfigMap: the file is a symlink through ..data, itself a
        // symlink to a timestamped directory that an update replaces.
        String watch = "server: { port: 0, adminPort: 0, watchConfig: true }\n";
        Path first = Files.createDirectory(dir.resolve("..2026_12_05_v1"));
        Files.writeString(first.resolve("gateway.yaml"), watch + "routes:\n" + route("first", "/a/", a.url()));
        Files.createSymbolicLink(dir.resolve("..data"), first.getFileName());
        Files.createSymbolicLink(file, Path.of("..data", "gateway.yaml"));
        gateway = TestGateway.startFromFile(file);
        assertEquals(404, gateway.get("/b/info").statusCode());

        swap("..2026_12_05_v2", watch + "routes:\n" + route("first", "/a/", a.url()) + route("second", "/b/", b.url()));
        Await.untilHolds("the new route answers", Duration.ofSeconds(10), () -> gateway.get("/b/info").statusCode() == 200);
        assertEquals(1, reloads("applied"));

        // A second swap: when its route answers, every event of the first has been handled before it.
        swap("..2026_12_05_v3", watch + "routes:\n" + route("first", "/a/", a.url()) + route("third", "/c/", b.url()));
        Await.untilHolds("the third route answers", Duration.ofSeconds(10), () -> gateway.get("/c/info").statusCode() == 200);
        assertEquals(2, reloads("applied"));
        assertEquals(404, gateway.get("/b/info").statusCode());
    }

    /** Kubernetes' update: a new directory, a new symlink renamed over {@code ..data}, the old directory removed. */
    private void swap(String version, String yaml) throws Exception {
        Path dataLink = dir.resolve("..data");
        Path old = dir.resolve(Files.readSymbolicLink(dataLink));
        Path next = Files.createDirectory(dir.resolve(version));
        Files.writeString(next.resolve("gateway.yaml"), yaml);
        Path tmp = Files.createSymbolicLink(dir.resolve("..data_tmp"), next.getFileName());
        Files.move(tmp, dataLink, StandardCopyOption.ATOMIC_MOVE);
        Files.delete(old.resolve("gateway.yaml"));
        Files.delete(old);
    }

    private static String sha256(String text) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
    }

    private void assertReloads(double applied, double unchanged, double refused) throws Exception {
        assertEquals(applied, reloads("applied"), "applied");
        assertEquals(unchanged, reloads("unchanged"), "unchanged");
        assertEquals(refused, reloads("refused"), "refused");
    }
}
