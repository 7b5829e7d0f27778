package io.infergate.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.RawHttp;
import io.infergate.server.testing.RecordingUpstream;
import io.infergate.server.testing.TestGateway;
import io.infergate.testing.Await;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routing by the model a request's body names, over real sockets: two routes at one path, two upstreams. */
class ModelRoutingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String CHAT = "/v1/chat/completions";

    @AutoClose
    private final RecordingUpstream big = new RecordingUpstream();
    @AutoClose
    private final RecordingUpstream small = new RecordingUpstream();
    @AutoClose
    private final RecordingUpstream tgi = new RecordingUpstream();
    @AutoClose
    private TestGateway gateway;

    ModelRoutingIT() throws Exception {}

    private String routes(String extra) {
        return """
                routes:
                  - name: big
                    match: { pathPrefix: /v1/, model: llama-70b }
                    upstreams: [ { name: big-model, endpoints: [ "%s" ] } ]
                  - name: small
                    match: { pathPrefix: /v1/, model: [ llama-3b ] }
                    upstreams: [ { name: small-model, endpoints: [ "%s" ] } ]
                %s""".formatted(big.url(), small.url(), extra);
    }

    private HttpResponse<String> post(String path, String body, String... headers) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(gateway.uri(path)).POST(HttpRequest.BodyPublishers.ofString(body))
                .header("Content-Type", "application/json");
        for (int i = 0; i < headers.length; i += 2) {
            request.header(headers[i], headers[i + 1]);
        }
        return TestGateway.send(request.build());
    }

    private static List<String> modelIds(HttpResponse<String> list) throws Exception {
        assertEquals(200, list.statusCode(), list.body());
        JsonNode json = JSON.readTree(list.body());
        assertEquals("list", json.get("object").asText());
        return json.get("data").findValuesAsText("id");
    }

    @Test
    void eachModelReachesItsOwnUpstreamWithItsBodyAsSent() throws Exception {
        gateway = TestGateway.start(routes(""));
        String toBig = "{ \"model\" : \"llama-70b\", \"messages\": [{\"role\":\"user\",\"content\":\"hi\"}] }";
        String toSmall = "{\"messages\":[{\"role\":\"user\",\"model\":\"llama-70b\",\"content\":\"x\"}],\"stream\":false,"
                + "\"model\":\"llama-3b\"}";
        HttpResponse<String> first = post(CHAT, toBig);
        assertEquals(200, first.statusCode(), first.body());
        assertEquals("POST " + CHAT + " HTTP/1.1\n" + toBig, first.body(), "the body reaches the upstream byte for byte");
        assertTrue(first.headers().firstValue("x-gateway-upstream").orElseThrow().startsWith("big-model/"));
        HttpResponse<String> second = post("/v1/completions", toSmall);
        assertEquals("POST /v1/completions HTTP/1.1\n" + toSmall, second.body(), "a model key inside messages does not count");
        assertEquals(1, big.requests().size());
        assertEquals(1, small.requests().size());

        // A chunked body whose model comes in its last chunk, on a connection kept for the next request.
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("POST " + CHAT + " HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                    + "f\r\n{\"messages\":[],\r\n");
            raw.send("13\r\n\"model\":\"llama-3b\"}\r\n0\r\n\r\n");
            RawHttp.Response chunked = raw.read();
            assertEquals(200, chunked.status(), chunked.body());
            assertTrue(chunked.body().endsWith("{\"messages\":[],\"model\":\"llama-3b\"}"), chunked.body());
            raw.send("POST " + CHAT + " HTTP/1.1\r\nHost: x\r\nContent-Length: 21\r\n\r\n{\"model\":\"llama-70b\"}");
            assertEquals(200, raw.read().status());
        }
        assertEquals(2, big.requests().size());
        assertEquals(2, small.requests().size());
    }

    @Test
    void anUnknownModelGets404NamingTheServedOnesAndReachesNoUpstream() throws Exception {
        gateway = TestGateway.start(routes(""));
        HttpResponse<String> unknown = post(CHAT, "{\"model\":\"gpt-4o\",\"messages\":[]}");
        assertEquals(404, unknown.statusCode());
        assertEquals("unknown_model", unknown.headers().firstValue("x-gateway-error").orElseThrow());
        JsonNode error = JSON.readTree(unknown.body()).get("error");
        assertEquals("unknown_model", error.get("type").asText());
        assertEquals(404, error.get("code").asInt());
        assertEquals("the model \"gpt-4o\" is not served here; served: llama-70b, llama-3b", error.get("message").asText());

        HttpResponse<String> none = post(CHAT, "{\"messages\":[{\"model\":\"llama-3b\"}]}");
        assertEquals(400, none.statusCode());
        assertEquals("bad_request", none.headers().firstValue("x-gateway-error").orElseThrow());
        assertTrue(none.body().contains("the request names no model"), none.body());
        assertEquals(400, gateway.get("/v1/completions").statusCode(), "no body");
        assertEquals(400, post(CHAT, "model=llama-3b").statusCode(), "not JSON");
        assertEquals(400, post(CHAT, "{\"model\":\"llama-3b\",\"model\":\"llama-70b\"}").statusCode(), "two models");
        assertEquals(0, big.requests().size() + small.requests().size());
        assertEquals(1.0, gateway.metrics().value(MeterNames.REQUESTS,
                Map.of("route", "none", "status", "404", "outcome", "unknown_model")));
    }

    @Test
    void aBodyWithoutAKnownModelTakesThePathsRouteThatTakesAny() throws Exception {
        gateway = TestGateway.start(routes("""
                  - name: any
                    match: { pathPrefix: / }
                    upstreams: [ { name: tgi, endpoints: [ "%s" ] } ]
                """.formatted(tgi.url())));
        assertEquals(200, post(CHAT, "{\"model\":\"gpt-4o\"}").statusCode());
        assertEquals(200, post(CHAT, "not json").statusCode());
        assertEquals(200, post("/generate", "{\"inputs\":\"x\"}").statusCode());
        assertEquals(3, tgi.requests().size());
        assertEquals(200, post(CHAT, "{\"model\":\"llama-3b\"}").statusCode());
        assertEquals(1, small.requests().size());
    }

    @Test
    void v1ModelsListsTheModelsServedInOpenAisFormat() throws Exception {
        gateway = TestGateway.start(routes(""));
        HttpResponse<String> list = gateway.get("/v1/models");
        assertEquals(List.of("llama-70b", "llama-3b"), modelIds(list));
        JsonNode first = JSON.readTree(list.body()).at("/data/0");
        assertEquals("model", first.get("object").asText());
        assertEquals("big", first.get("owned_by").asText());
        assertTrue(Math.abs(first.get("created").asLong() - System.currentTimeMillis() / 1000) < 600, first.toString());
        HttpResponse<String> one = gateway.get("/v1/models/llama-3b");
        assertEquals(200, one.statusCode(), one.body());
        assertEquals("small", JSON.readTree(one.body()).get("owned_by").asText());
        HttpResponse<String> unknown = gateway.get("/v1/models/gpt-4o");
        assertEquals(404, unknown.statusCode());
        assertEquals("unknown_model", unknown.headers().firstValue("x-gateway-error").orElseThrow());
        assertEquals(0, big.requests().size() + small.requests().size(), "answered by the gateway");
    }

    @Test
    void aTenantSeesAndIsToldOnlyTheModelsOfItsRoutes() throws Exception {
        String key = "small-only-key-00001";
        String digest = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        gateway = TestGateway.start("""
                auth: { required: true }
                tenants:
                  - { name: thrifty, keySha256: "%s", routes: [ small ] }
                """.formatted(digest) + routes(""));
        HttpResponse<String> noKey = gateway.get("/v1/models");
        assertEquals(401, noKey.statusCode());
        assertEquals("unauthorized", noKey.headers().firstValue("x-gateway-error").orElseThrow());
        HttpRequest list = HttpRequest.newBuilder(gateway.uri("/v1/models")).header("Authorization", "Bearer " + key).build();
        assertEquals(List.of("llama-3b"), modelIds(TestGateway.send(list)));

        assertEquals(403, post(CHAT, "{\"model\":\"llama-70b\"}", "X-API-Key", key).statusCode(), "a route it may not use");
        HttpResponse<String> unknown = post(CHAT, "{\"model\":\"gpt-4o\"}", "X-API-Key", key);
        assertEquals(404, unknown.statusCode());
        assertTrue(unknown.body().contains("served: llama-3b\""), unknown.body());
        assertEquals(401, post(CHAT, "{\"model\":\"gpt-4o\"}").statusCode(), "no names for a caller without a key");
        assertEquals(200, post(CHAT, "{\"model\":\"llama-3b\"}", "X-API-Key", key).statusCode());
        assertEquals(0, big.requests().size());
    }

    @Test
    void aRouteChosenByModelStillRewritesTheModelForItsUpstream() throws Exception {
        gateway = TestGateway.start("""
                routes:
                  - name: big
                    match: { model: [ llama-70b, "llama-70b-*" ] }
                    upstreams: [ { name: big-model, endpoints: [ "%s" ], rewriteModel: meta-llama/Llama-3.1-70B-Instruct } ]
                """.formatted(big.url()));
        HttpResponse<String> rewritten = post("/v1/completions", "{\"model\":\"llama-70b-latest\",\"prompt\":\"a\"}");
        assertEquals(200, rewritten.statusCode(), rewritten.body());
        assertTrue(rewritten.body().endsWith("{\"model\":\"meta-llama/Llama-3.1-70B-Instruct\",\"prompt\":\"a\"}"),
                rewritten.body());
    }

    @Test
    void aReloadChangesWhichModelsAreServedAndWhere(@TempDir Path dir) throws Exception {
        gateway = TestGateway.startFromFile(dir, routes(""));
        assertEquals(List.of("llama-70b", "llama-3b"), modelIds(gateway.get("/v1/models")));
        Files.writeString(dir.resolve("gateway.yaml"), "server: { port: 0, adminPort: 0 }\n"
                + routes("").replace("model: [ llama-3b ]", "model: [ llama-8b, llama-70b-draft ]")
                        .replace("model: llama-70b }", "model: [ llama-70b, llama-3b ] }"));
        HttpResponse<String> reload = gateway.reload();
        assertEquals(200, reload.statusCode(), reload.body());
        assertTrue(reload.body().contains("\"applied\""), reload.body());
        assertEquals(List.of("llama-70b", "llama-3b", "llama-8b", "llama-70b-draft"), modelIds(gateway.get("/v1/models")));
        assertTrue(post(CHAT, "{\"model\":\"llama-3b\"}").body().startsWith("POST"));
        assertEquals(1, big.requests().size(), "llama-3b moved to the big route");
        assertEquals(200, post(CHAT, "{\"model\":\"llama-8b\"}").statusCode());
        assertEquals(1, small.requests().size());
        assertEquals(404, post(CHAT, "{\"model\":\"llama-1b\"}").statusCode());
    }

    @Test
    void aBodyThatDoesNotArriveInTimeAtAPathRoutedByModelIs408() throws Exception {
        gateway = TestGateway.start("server: { port: 0, adminPort: 0, bodyTimeout: 300ms }\n" + routes(""));
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("POST " + CHAT + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"model\":");
            RawHttp.Response late = raw.read();
            assertEquals(408, late.status());
            assertEquals("client_timeout", late.header("x-gateway-error"));
        }
        assertEquals(0, small.requests().size() + big.requests().size());
    }

    @Test
    void aClientThatLeavesMidBodyIsCountedCancelledAndTheGatewayServesOn() throws Exception {
        gateway = TestGateway.start(routes(""));
        try (RawHttp raw = new RawHttp(gateway.port())) {
            raw.send("POST " + CHAT + " HTTP/1.1\r\nHost: x\r\nContent-Length: 100\r\n\r\n{\"model\":\"llama-3b\"");
        }
        Map<String, String> cancelled = Map.of("route", "none", "status", "499", "outcome", "cancelled");
        Await.untilHolds("the client's leaving counted", Duration.ofSeconds(10),
                () -> gateway.metrics().sum(MeterNames.REQUESTS, cancelled) >= 1);
        assertEquals(1.0, gateway.metrics().value(MeterNames.REQUESTS, cancelled));
        assertEquals(0, small.requests().size());
        assertEquals(200, post(CHAT, "{\"model\":\"llama-3b\"}").statusCode());
    }

    @Test
    void aBodyOverTheLimitAtAPathRoutedByModelIs413() throws Exception {
        gateway = TestGateway.start("server: { port: 0, adminPort: 0, maxBodyBytes: 1KiB }\n" + routes(""));
        HttpResponse<String> large = post(CHAT, "{\"model\":\"llama-3b\",\"prompt\":\"" + "x".repeat(2000) + "\"}");
        assertEquals(413, large.statusCode());
        assertEquals("payload_too_large", large.headers().firstValue("x-gateway-error").orElseThrow());
        assertEquals(0, small.requests().size());
    }
}
