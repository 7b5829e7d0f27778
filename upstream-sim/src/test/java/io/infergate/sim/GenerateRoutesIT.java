package io.infergate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class GenerateRoutesIT {

    private static UpstreamSim sim;
    private static SimClient client;

    @BeforeAll
    static void start() throws InterruptedException {
        sim = UpstreamSim.builder().tokensPerSecond(200).seed(42).start();
        client = new SimClient(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void generateAnswersGeneratedTextAndDetailsWithTokens() {
        HttpResponse<String> response = client.post("/generate",
                "{\"inputs\":\"What is deep learning?\",\"parameters\":{\"max_new_tokens\":5,\"details\":true}}");
        assertEquals(200, response.statusCode());
        assertEquals("application/json", response.headers().firstValue("content-type").orElseThrow());
        JsonNode body = SimClient.json(response.body());
        JsonNode details = body.get("details");
        assertEquals("length", details.get("finish_reason").asText());
        assertEquals(5, details.get("generated_tokens").asInt());
        assertTrue(details.get("seed").isNull());
        assertEquals(0, details.get("prefill").size());
        StringBuilder text = new StringBuilder();
        for (JsonNode token : details.get("tokens")) {
            assertEquals(List.of("id", "text", "logprob", "special"), fieldNames(token));
            text.append(token.get("text").asText());
        }
        assertEquals(text.toString(), body.get("generated_text").asText());
    }

    @Test
    void withoutDetailsTheBodyIsOnlyTheText() {
        JsonNode body = SimClient.json(client.post("/generate", "{\"inputs\":\"Hi\",\"parameters\":{\"max_new_tokens\":3}}").body());
        assertEquals(List.of("generated_text"), fieldNames(body));
    }

    @Test
    void nonStreamingResponsesCarryTgisTimingHeaders() {
        HttpResponse<String> response = client.post("/generate",
                "{\"inputs\":\"What is deep learning?\",\"parameters\":{\"max_new_tokens\":6}}");
        var h = response.headers();
        assertEquals("gpu+optimized", h.firstValue("x-compute-type").orElseThrow());
        assertEquals("22", h.firstValue("x-compute-characters").orElseThrow());
        assertEquals("6", h.firstValue("x-prompt-tokens").orElseThrow());
        assertEquals("6", h.firstValue("x-generated-tokens").orElseThrow());
        long inference = Long.parseLong(h.firstValue("x-inference-time").orElseThrow());
        long total = Long.parseLong(h.firstValue("x-total-time").orElseThrow());
        double computeSeconds = Double.parseDouble(h.firstValue("x-compute-time").orElseThrow());
        // Six tokens at 200/s: five intervals of 5 ms after the first.
        assertTrue(inference >= 20 && inference < 2000, "inference " + inference);
        assertTrue(total >= inference, "total " + total);
        assertEquals(total, computeSeconds * 1000, 1.5);
        assertEquals(inference / 6, Long.parseLong(h.firstValue("x-time-per-token").orElseThrow()));
        assertTrue(Long.parseLong(h.firstValue("x-queue-time").orElseThrow()) < 100);
        assertTrue(h.firstValue("x-validation-time").isPresent());
        assertTrue(h.firstValue("x-accel-buffering").isEmpty());
    }

    @Test
    void theCompatRouteWrapsTheResponseInAnArray() {
        JsonNode body = SimClient.json(client.post("/", "{\"inputs\":\"Hi\",\"parameters\":{\"max_new_tokens\":3}}").body());
        assertTrue(body.isArray());
        assertEquals(1, body.size());
        assertEquals(SimClient.json(client.post("/generate", "{\"inputs\":\"Hi\",\"parameters\":{\"max_new_tokens\":3}}").body()),
                body.get(0));
    }

    @Test
    void generateStreamSendsOneEventPerTokenAndTheTextOnlyAtTheEnd() {
        SimClient.Streamed stream = client.stream("/generate_stream",
                "{\"inputs\":\"What is deep learning?\",\"parameters\":{\"max_new_tokens\":6,\"details\":true}}");
        assertEquals(200, stream.status());
        assertEquals("text/event-stream", stream.header("content-type"));
        assertEquals("no-cache", stream.header("cache-control"));
        assertEquals("no", stream.header("x-accel-buffering"));
        assertEquals("gpu+optimized", stream.header("x-compute-type"));
        assertEquals("22", stream.header("x-compute-characters"));
        assertNull(stream.header("x-total-time"));
        assertFalse(stream.events().contains("[DONE]"));
        List<JsonNode> events = stream.jsonEvents();
        assertEquals(6, events.size());
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            JsonNode event = events.get(i);
            assertEquals(List.of("index", "token", "generated_text", "details"), fieldNames(event));
            assertEquals(i + 1, event.get("index").asInt());
            text.append(event.get("token").get("text").asText());
            if (i < events.size() - 1) {
                assertTrue(event.get("generated_text").isNull());
                assertTrue(event.get("details").isNull());
            }
        }
        JsonNode last = events.get(5);
        assertEquals(text.toString(), last.get("generated_text").asText());
        assertEquals("length", last.get("details").get("finish_reason").asText());
        assertEquals(6, last.get("details").get("generated_tokens").asInt());
        assertEquals(6, last.get("details").get("input_length").asInt());
    }

    @Test
    void aLongEnoughAnswerEndsWithTheSpecialEosTokenWhichTheTextLeavesOut() {
        SimClient.Streamed stream = client.stream("/", "{\"inputs\":\"eos please\",\"stream\":true,"
                + "\"parameters\":{\"max_new_tokens\":100,\"details\":true}}");
        List<JsonNode> events = stream.jsonEvents();
        JsonNode last = events.get(events.size() - 1);
        assertEquals("</s>", last.get("token").get("text").asText());
        assertTrue(last.get("token").get("special").asBoolean());
        assertEquals("eos_token", last.get("details").get("finish_reason").asText());
        String text = events.stream().limit(events.size() - 1).map(e -> e.get("token").get("text").asText())
                .reduce("", String::concat);
        assertEquals(text, last.get("generated_text").asText());
        assertTrue(events.size() > TokenGenerator.ALWAYS_CUT_UP_TO && events.size() <= 64);
    }

    @Test
    void theTextIsDeterministicForAPromptAndSeed() throws InterruptedException {
        String body = "{\"inputs\":\"Tell me a story\",\"parameters\":{\"max_new_tokens\":8}}";
        String first = client.post("/generate", body).body();
        assertEquals(first, client.post("/generate", body).body());
        try (UpstreamSim same = UpstreamSim.builder().tokensPerSecond(0).seed(42).start();
             UpstreamSim other = UpstreamSim.builder().tokensPerSecond(0).seed(43).start()) {
            assertEquals(first, new SimClient(same).post("/generate", body).body());
            assertNotEquals(first, new SimClient(other).post("/generate", body).body());
        }
    }

    @Test
    void returnFullTextPrependsTheInputs() {
        JsonNode body = SimClient.json(client.post("/generate",
                "{\"inputs\":\"Prefix:\",\"parameters\":{\"max_new_tokens\":2,\"return_full_text\":true}}").body());
        assertTrue(body.get("generated_text").asText().startsWith("Prefix: "));
    }

    @Test
    void aQuietStreamGetsCommentKeepAlives() throws InterruptedException {
        try (UpstreamSim slow = UpstreamSim.builder().tokensPerSecond(200).prefillPerToken(Duration.ofMillis(100))
                .keepAliveInterval(Duration.ofMillis(100)).start()) {
            SimClient.Streamed stream = new SimClient(slow).stream("/generate_stream",
                    "{\"inputs\":\"twelve chars\",\"parameters\":{\"max_new_tokens\":2}}");
            // Prefill: 3 prompt tokens x 100 ms of silence before the first event.
            assertTrue(stream.comments() >= 2, "comments: " + stream.comments());
            assertEquals(2, stream.events().size());
        }
    }

    @Test
    void healthInfoAndModelsAnswerAsTgi() {
        HttpResponse<String> health = client.get("/health");
        assertEquals(200, health.statusCode());
        assertEquals("", health.body());
        JsonNode info = SimClient.json(client.get("/info").body());
        assertEquals("meta-llama/Llama-3.1-8B-Instruct", info.get("model_id").asText());
        assertEquals("text-generation-router", info.get("router").asText());
        assertEquals(4096, info.get("max_total_tokens").asInt());
        JsonNode models = SimClient.json(client.get("/v1/models").body());
        assertEquals("list", models.get("object").asText());
        assertEquals("meta-llama/Llama-3.1-8B-Instruct", models.get("data").get(0).get("id").asText());
        assertEquals(404, client.get("/nope").statusCode());
        assertEquals(405, client.get("/generate").statusCode());
    }

    static List<String> fieldNames(JsonNode node) {
        List<String> names = new java.util.ArrayList<>();
        node.fieldNames().forEachRemaining(names::add);
        return names;
    }

    @Test
    void stampedEventsCarryTheirSendTimeFirst() throws InterruptedException {
        try (UpstreamSim stamping = UpstreamSim.builder().tokensPerSecond(200).stampEvents(true).start()) {
            long before = java.time.Instant.now().toEpochMilli() * 1000;
            List<JsonNode> events = new SimClient(stamping).stream("/generate_stream",
                    "{\"inputs\":\"Hi\",\"parameters\":{\"max_new_tokens\":3}}").jsonEvents();
            long after = java.time.Instant.now().toEpochMilli() * 1000 + 1000;
            assertEquals(3, events.size());
            long previous = 0;
            for (JsonNode event : events) {
                assertEquals("sent_us", event.fieldNames().next());
                long sent = event.get("sent_us").asLong();
                assertTrue(sent >= before && sent <= after && sent >= previous, "sent_us " + sent);
                previous = sent;
            }
        }
    }
}
