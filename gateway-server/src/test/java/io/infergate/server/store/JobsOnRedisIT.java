package io.infergate.server.store;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.server.testing.GatewayProcess;
import io.infergate.server.testing.RedisServer;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.UpstreamSim;
import io.infergate.testing.Await;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Jobs on one real Redis, run by gateway processes (the packaged jar) that die, restart, or lose
 * their Redis for a while: every accepted job finishes, exactly once in its tenant's list.
 */
class JobsOnRedisIT {

    private static final String KEY = "tenant-key-00000001";
    private static final ObjectMapper JSON = new ObjectMapper();

    @TempDir
    Path dir;
    private RedisServer redis;
    private UpstreamSim sim;
    private final List<GatewayProcess> gateways = new ArrayList<>();

    @BeforeEach
    void start() throws Exception {
        assumeTrue(RedisServer.installed(), "redis-server is installed (.ci/run installs it)");
        assumeTrue(GatewayProcess.jarExists(), "the packaged jar is built");
        // Every write on disk before Redis answers it, so a Redis killed and restarted loses nothing it took.
        redis = RedisServer.start(Files.createDirectories(dir.resolve("redis")), "--appendonly", "yes",
                "--appendfsync", "always");
    }

    @AfterEach
    void stop() throws Exception {
        for (GatewayProcess gateway : gateways) {
            assertTrue(!gateway.output().contains("LEAK"), gateway.output());
            gateway.close();
        }
        if (sim != null) {
            sim.close();
        }
        if (redis != null) {
            redis.close();
        }
    }

    private GatewayProcess gateway(String name) throws Exception {
        String config = """
                store:
                  redis: { url: "%s", commandTimeout: 2s, connectTimeout: 2s, keyPrefix: "jobs-it:" }
                jobs: { maxShare: 1, lease: 3s, maxQueuedPerTenant: 1000 }
                tenants:
                  - { name: acme, keySha256: "%s" }
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                    admission: { maxInFlightPerEndpoint: 8 }
                    upstreams: [ { name: model, endpoints: [ "%s" ] } ]
                """.formatted(redis.url(), sha256(KEY), sim.url());
        Path home = Files.createDirectories(dir.resolve(name + "-" + System.nanoTime()));
        GatewayProcess gateway = GatewayProcess.start(home, config, "-Xmx128m",
                "-Dio.netty.leakDetection.level=paranoid");
        gateways.add(gateway);
        return gateway;
    }

    @Test
    void twentyJobsOfAGatewayKilledWhileTheyRunAllFinishThroughTheOther() throws Exception {
        sim = UpstreamSim.builder().maxBatch(64).tokensPerSecond(4).start(); // 12 tokens: 3 s a job
        GatewayProcess a = gateway("a");
        GatewayProcess b = gateway("b");
        List<String> ids = new ArrayList<>();
        for (int i = 0; i < 20; i++) {
            ids.add(submit(a, "job " + i).get("id").asText());
        }
        Await.until("a runs jobs", Duration.ofSeconds(10), () -> sim.stats().inFlight() >= 4);
        a.process().destroyForcibly(); // SIGKILL: no goodbye, its leases just stop being renewed
        assertTrue(a.process().waitFor(10, TimeUnit.SECONDS));

        for (String id : ids) {
            JsonNode done = awaitFinished(b, id);
            assertEquals("succeeded", done.get("status").asText(), done.toString());
            HttpResponse<String> result = get(b, "/v1/jobs/" + id + "/result");
            assertEquals(200, result.statusCode(), result.body());
            assertTrue(result.body().contains("generated_text"), result.body());
        }
        List<String> listed = listAll(b);
        assertEquals(new HashSet<>(ids), new HashSet<>(listed));
        assertEquals(20, listed.size(), "each job once in the list: " + listed);
        assertTrue(meter(b, "gateway_store_leases_taken_over_total") >= 1, "b took over a's running jobs");
    }

    @Test
    void aJobSubmittedBeforeARestartOfTheOnlyGatewayIsThereAfterwardsAndFinishes() throws Exception {
        sim = UpstreamSim.builder().maxBatch(8).tokensPerSecond(4).start();
        GatewayProcess before = gateway("before");
        String id = submit(before, "survive").get("id").asText();
        Await.until("the job runs", Duration.ofSeconds(10), () -> sim.stats().inFlight() == 1);
        assertEquals(0, before.terminate(Duration.ofSeconds(20)), before.output());

        GatewayProcess after = gateway("after");
        JsonNode done = awaitFinished(after, id);
        assertEquals("succeeded", done.get("status").asText(), done.toString());
        assertEquals(200, get(after, "/v1/jobs/" + id + "/result").statusCode());
        assertEquals(List.of(id), listAll(after));
    }

    @Test
    void whileRedisIsDownSubmissionsAre503AndOnceItIsBackAllAcceptedJobsFinish() throws Exception {
        sim = UpstreamSim.builder().maxBatch(64).tokensPerSecond(40).start();
        List<GatewayProcess> both = List.of(gateway("a"), gateway("b"));
        List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        List<HttpResponse<String>> refused = Collections.synchronizedList(new ArrayList<>());
        AtomicLong sent = new AtomicLong();
        // 20 submissions a second, each on its own: a submission that hangs shows as one fewer answer.
        ScheduledExecutorService load = Executors.newScheduledThreadPool(4);
        load.scheduleAtFixedRate(() -> {
            HttpResponse<String> answer = send(both.get((int) (sent.getAndIncrement() % 2)), "load");
            if (answer.statusCode() == 202) {
                accepted.add(read(answer.body()).get("id").asText());
            } else {
                refused.add(answer);
            }
        }, 0, 50, TimeUnit.MILLISECONDS);
        Await.until("jobs are accepted", Duration.ofSeconds(10), () -> accepted.size() >= 20);

        redis.stop();
        Await.until("submissions are refused while Redis is down", Duration.ofSeconds(10), () -> refused.size() >= 10);
        redis.start();
        long back = System.nanoTime();
        int acceptedBefore = accepted.size();
        Await.until("submissions accepted again", Duration.ofSeconds(5), () -> accepted.size() > acceptedBefore);
        assertTrue(System.nanoTime() - back < Duration.ofSeconds(5).toNanos());
        Await.until("both ready again", Duration.ofSeconds(5), () -> both.stream().allMatch(g -> g.readyz() == 200));
        load.shutdown();
        assertTrue(load.awaitTermination(30, TimeUnit.SECONDS));

        for (HttpResponse<String> answer : refused) {
            assertEquals(503, answer.statusCode(), answer.body());
            assertEquals("store_unavailable", answer.headers().firstValue("x-gateway-error").orElseThrow());
            assertTrue(answer.headers().firstValue("retry-after").isPresent());
        }
        List<String> listed = listAll(both.get(0));
        assertTrue(listed.containsAll(accepted), "no accepted job lost");
        assertEquals(listed.size(), new HashSet<>(listed).size(), "each job once in the list");
        // Redis may have taken a job whose answer the gateway never got (killed after the write): that
        // submission was answered 503, and its job runs all the same.
        assertTrue(listed.size() - accepted.size() <= refused.size(), listed.size() + " listed, " + accepted.size()
                + " accepted");
        for (String id : listed) {
            JsonNode done = awaitFinished(both.get(id.hashCode() & 1), id);
            assertEquals("succeeded", done.get("status").asText(), done.toString());
        }
    }

    private static JsonNode submit(GatewayProcess gateway, String prompt) throws Exception {
        HttpResponse<String> answer = send(gateway, prompt);
        assertEquals(202, answer.statusCode(), answer.body());
        return read(answer.body());
    }

    private static HttpResponse<String> send(GatewayProcess gateway, String prompt) {
        try {
            return TestGateway.send(HttpRequest.newBuilder(gateway.uri("/generate"))
                    .POST(HttpRequest.BodyPublishers.ofString(
                            "{\"inputs\":\"" + prompt + "\",\"parameters\":{\"max_new_tokens\":12}}"))
                    .header("Content-Type", "application/json").header("X-API-Key", KEY).header("Prefer", "respond-async")
                    .timeout(Duration.ofSeconds(10)).build());
        } catch (Exception e) {
            throw new AssertionError("a submission got no answer", e);
        }
    }

    /** Long-polls until the job has finished; each poll must answer. */
    private static JsonNode awaitFinished(GatewayProcess gateway, String id) throws Exception {
        long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
        while (true) {
            HttpResponse<String> polled = get(gateway, "/v1/jobs/" + id + "?wait=10s");
            assertEquals(200, polled.statusCode(), polled.body());
            JsonNode job = read(polled.body());
            String status = job.get("status").asText();
            if (!status.equals("queued") && !status.equals("running") || System.nanoTime() > deadline) {
                return job;
            }
        }
    }

    private static List<String> listAll(GatewayProcess gateway) throws Exception {
        List<String> ids = new ArrayList<>();
        String token = null;
        do {
            HttpResponse<String> page = get(gateway, "/v1/jobs?limit=100" + (token == null ? "" : "&pageToken=" + token));
            assertEquals(200, page.statusCode(), page.body());
            JsonNode body = read(page.body());
            body.get("jobs").forEach(job -> ids.add(job.get("id").asText()));
            token = body.get("nextPageToken").isNull() ? null : body.get("nextPageToken").asText();
        } while (token != null);
        return ids;
    }

    private static HttpResponse<String> get(GatewayProcess gateway, String path) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri(path)).header("X-API-Key", KEY)
                .timeout(Duration.ofSeconds(20)).GET().build());
    }

    private static double meter(GatewayProcess gateway, String name) throws Exception {
        String metrics = TestGateway.send(HttpRequest.newBuilder(gateway.adminUri("/metrics")).build()).body();
        return metrics.lines().filter(line -> line.startsWith(name + " ")).mapToDouble(
                line -> Double.parseDouble(line.substring(name.length() + 1))).findFirst().orElse(-1);
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (Exception e) {
            throw new AssertionError("not JSON: " + body, e);
        }
    }

    private static String sha256(String key) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
    }
}
