package io.infergate.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.infergate.core.metrics.MeterNames;
import io.infergate.server.testing.TestGateway;
import io.infergate.sim.Faults;
import io.infergate.sim.UpstreamSim;
import io.infergate.testing.Await;
import io.infergate.testing.SseParser;
import mockwebserver3.MockResponse;
import mockwebserver3.MockWebServer;
import mockwebserver3.RecordedRequest;
import mockwebserver3.junit5.StartStop;
import org.junit.jupiter.api.AutoClose;
import org.junit.jupiter.api.Test;

import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * Streams that break after their first tokens, continued elsewhere: the client's text is compared
 * byte for byte with the answer a healthy simulator gives the same request, and each upstream's
 * attempts are counted. Both simulators of an upstream carry the fault for one request, so whichever
 * the first attempt reaches breaks it, and the continuation (shorter than the fault's position, or
 * with the fault cleared) does not.
 */
class MidStreamRecoveryIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int MAX = 60;

    @AutoClose
    private final UpstreamSim oracle = sim().start();
    @AutoClose
    private UpstreamSim first;
    @AutoClose
    private UpstreamSim second;
    @AutoClose
    private TestGateway gateway;
    @StartStop
    private final MockWebServer fallback = new MockWebServer();

    MidStreamRecoveryIT() throws Exception {
    }

    private static UpstreamSim.Builder sim() {
        return UpstreamSim.builder().maxBatch(8).tokensPerSecond(400);
    }

    /** Two simulators behind one upstream, each breaking the next request it gets with {@code faults}. */
    private void twoEndpoints(Faults faults, String routeYaml) throws Exception {
        first = sim().faults(faults.withCount(1)).start();
        second = sim().faults(faults.withCount(1)).start();
        gateway = TestGateway.start("""
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                %s
                    upstreams:
                      - name: primary
                        endpoints: [ "%s", "%s" ]
                """.formatted(TestGateway.indent(routeYaml, "    "), first.url(), second.url()));
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return TestGateway.send(HttpRequest.newBuilder(gateway.uri(path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build());
    }

    private JsonNode oracle(String path, String body) throws Exception {
        HttpResponse<String> answer = TestGateway.send(HttpRequest.newBuilder(java.net.URI.create(oracle.url() + path))
                .POST(HttpRequest.BodyPublishers.ofString(body)).header("Content-Type", "application/json").build());
        assertEquals(200, answer.statusCode(), answer.body());
        return JSON.readTree(answer.body());
    }

    /** A chat question whose answer runs past {@value #MAX} tokens, so {@code max_tokens} cuts it at exactly that. */
    private String longChatQuestion() throws Exception {
        for (int i = 0; ; i++) {
            String question = "Tell me about topic " + i;
            JsonNode answer = oracle("/v1/chat/completions", chatBody(question, false, ""));
            if (answer.path("usage").path("completion_tokens").asInt() == MAX
                    && answer.path("choices").path(0).path("finish_reason").asText().equals("length")) {
                return question;
            }
        }
    }

    private static String chatBody(String question, boolean stream, String extra) {
        return "{\"model\":\"tgi\",\"stream\":" + stream + ",\"max_tokens\":" + MAX
                + (stream ? ",\"stream_options\":{\"include_usage\":true}" : "")
                + ",\"messages\":[{\"role\":\"user\",\"content\":\"" + question + "\"}]" + extra + "}";
    }

    private String expectedChat(String question) throws Exception {
        return oracle("/v1/chat/completions", chatBody(question, false, ""))
                .path("choices").path(0).path("message").path("content").asText();
    }

    private static List<SseParser.Item> items(HttpResponse<String> response) {
        assertEquals(200, response.statusCode(), response.body());
        return SseParser.parseAll(response.body().getBytes(StandardCharsets.UTF_8));
    }

    private static List<JsonNode> events(List<SseParser.Item> items) throws Exception {
        List<JsonNode> events = new ArrayList<>();
        for (SseParser.Item item : items) {
            if (item instanceof SseParser.Event event && !event.data().equals("[DONE]")) {
                events.add(JSON.readTree(event.data()));
            }
        }
        return events;
    }

    private static String chatText(List<JsonNode> events) {
        StringBuilder text = new StringBuilder();
        for (JsonNode event : events) {
            text.append(event.path("choices").path(0).path("delta").path("content").asText(""));
        }
        return text.toString();
    }

    private double recoveries(String outcome) throws Exception {
        return gateway.metrics().value(MeterNames.STREAM_RECOVERIES, Map.of("route", "chat", "outcome", outcome));
    }

    private long attempts(UpstreamSim sim) {
        return sim.stats().requestsReceived();
    }

    @Test
    void aChatStreamCutAfter40Of60TokensIsContinuedOnTheOtherEndpoint() throws Exception {
        twoEndpoints(Faults.none().withResetAfterTokens(40), "");
        String question = longChatQuestion();

        List<SseParser.Item> items = items(post("/v1/chat/completions", chatBody(question, true, "")));
        List<JsonNode> events = events(items);

        assertEquals(expectedChat(question), chatText(events));
        assertEquals(1, attempts(first));
        assertEquals(1, attempts(second));
        // The first 40 chunks came from the broken stream, each with its role (as TGI sends them); the
        // continuation's chunks announce no role again.
        long withRole = events.stream().filter(e -> e.path("choices").path(0).path("delta").has("role")).count();
        assertEquals(40, withRole);
        JsonNode usage = events.get(events.size() - 1).path("usage");
        assertEquals(MAX, usage.path("completion_tokens").asInt());
        assertEquals(usage.path("prompt_tokens").asInt() + MAX, usage.path("total_tokens").asInt());
        assertTrue(events.stream().allMatch(e -> e.path("model").asText().equals(events.get(0).path("model").asText())));
        SseParser.Item last = items.get(items.size() - 1);
        assertTrue(last instanceof SseParser.Comment comment && comment.text().startsWith(" continued on primary/"),
                "the stream ends with a comment naming where it was continued: " + last);
        assertEquals(1.0, recoveries("continued"));
    }

    @Test
    void aStreamThatStallsAfter20TokensIsContinuedAfterStreamIdle() throws Exception {
        twoEndpoints(Faults.none().withStallAfterTokens(20), "timeouts: { streamIdle: 5s }");
        String question = longChatQuestion();
        String body = chatBody(question, true, "");

        java.util.concurrent.CompletableFuture<HttpResponse<String>> answer = TestGateway.client().sendAsync(
                HttpRequest.newBuilder(gateway.uri("/v1/chat/completions")).POST(HttpRequest.BodyPublishers.ofString(body))
                        .header("Content-Type", "application/json").build(), HttpResponse.BodyHandlers.ofString());
        Await.until("one endpoint has the request", Duration.ofSeconds(5), () -> attempts(first) + attempts(second) == 1);
        // The continuation asks for 40 tokens: the other endpoint must not stall it at its 20th.
        (attempts(first) == 1 ? second : first).setFaults(Faults.none());
        long started = System.nanoTime();
        List<JsonNode> events = events(items(answer.get(30, TimeUnit.SECONDS)));

        assertEquals(expectedChat(question), chatText(events));
        assertTrue(System.nanoTime() - started >= Duration.ofMillis(4_500).toNanos(), "continued after streamIdle");
        assertEquals(1, attempts(first));
        assertEquals(1, attempts(second));
        assertEquals(1.0, recoveries("continued"));
    }

    @Test
    void aTgiGenerateStreamIsContinuedWithItsInputsAndItsIndexesCountOn() throws Exception {
        twoEndpoints(Faults.none().withResetAfterTokens(40), "");
        String inputs = null;
        String expected = null;
        for (int i = 0; expected == null; i++) {
            JsonNode answer = oracle("/generate", "{\"inputs\":\"What is topic " + i + "?\",\"parameters\":{\"max_new_tokens\":"
                    + MAX + ",\"details\":true}}");
            if (answer.path("details").path("finish_reason").asText().equals("length")) {
                inputs = "What is topic " + i + "?";
                expected = answer.path("generated_text").asText();
            }
        }

        List<JsonNode> events = events(items(post("/generate_stream", "{\"inputs\":\"" + inputs
                + "\",\"parameters\":{\"max_new_tokens\":" + MAX + ",\"details\":true}}")));

        StringBuilder text = new StringBuilder();
        for (int i = 0; i < events.size(); i++) {
            assertEquals(i + 1, events.get(i).path("index").asInt());
            text.append(events.get(i).path("token").path("text").asText());
        }
        assertEquals(MAX, events.size());
        assertEquals(expected, text.toString());
        JsonNode last = events.get(events.size() - 1);
        assertEquals(expected, last.path("generated_text").asText());
        assertEquals(MAX, last.path("details").path("generated_tokens").asInt());
        assertEquals(1, attempts(first));
        assertEquals(1, attempts(second));
    }

    @Test
    void aRequestWithToolsIsNotContinuedAndEndsWithTheErrorEvent() throws Exception {
        twoEndpoints(Faults.none().withResetAfterTokens(40), "");
        String question = longChatQuestion();
        String tools = ",\"tools\":[{\"type\":\"function\",\"function\":{\"name\":\"f\",\"parameters\":{}}}]";

        List<SseParser.Item> items = items(post("/v1/chat/completions", chatBody(question, true, tools)));
        List<JsonNode> events = events(items);

        JsonNode error = events.get(events.size() - 1).path("error");
        assertEquals("upstream_reset", error.path("type").asText());
        String expected = expectedChat(question);
        assertEquals(firstWords(expected, 40), chatText(events.subList(0, events.size() - 1)));
        assertEquals(1, attempts(first) + attempts(second));
        assertEquals(1.0, recoveries("disarmed"));
    }

    // ---- a fallback that refuses prefill -----------------------------------------------------------------

    /** One sim that breaks every stream at 40 tokens, and the stub as a fallback the route may continue on. */
    private void fallbackRefusingPrefill() throws Exception {
        first = sim().faults(Faults.none().withResetAfterTokens(40)).start();
        gateway = TestGateway.start("""
                routes:
                  - name: chat
                    match: { pathPrefix: / }
                    recovery: { midStream: continue }
                    upstreams:
                      - name: primary
                        endpoints: [ "%s" ]
                      - name: small
                        endpoints: [ "%s" ]
                """.formatted(first.url(), fallback.url("/").toString().replaceAll("/$", "")));
        fallback.enqueue(new MockResponse.Builder().code(400).addHeader("Content-Type", "application/json")
                .body("{\"error\":{\"message\":\"a conversation may not end with an assistant message\","
                        + "\"type\":\"invalid_request_error\",\"code\":\"invalid_prefill\"}}").build());
    }

    /** The answer as another server streams it: three words an event, its own id, a role first. */
    private static String streamOf(String text) {
        List<String> words = new ArrayList<>();
        for (String word : text.substring(1).split(" ")) {
            words.add(" " + word);
        }
        StringBuilder stream = new StringBuilder();
        for (int i = 0; i < words.size(); i += 3) {
            String piece = String.join("", words.subList(i, Math.min(words.size(), i + 3)));
            String role = i == 0 ? "\"role\":\"assistant\"," : "";
            String finish = i + 3 >= words.size() ? "\"length\"" : "null";
            stream.append("data: {\"id\":\"other\",\"object\":\"chat.completion.chunk\",\"model\":\"small\",\"choices\":"
                    + "[{\"index\":0,\"delta\":{" + role + "\"content\":\"" + piece + "\"},\"finish_reason\":" + finish + "}]}\n\n");
        }
        return stream.append("data: [DONE]\n\n").toString();
    }

    private static String firstWords(String text, int count) {
        int at = 0;
        for (int i = 0; i <= count && at >= 0; i++) {
            at = text.indexOf(' ', at + (i == 0 ? 0 : 1));
        }
        return at < 0 ? text : text.substring(0, at);
    }

    @Test
    void aFallbackThatRefusesPrefillRegeneratesAndOnlyTheNewTextIsRelayed() throws Exception {
        fallbackRefusingPrefill();
        String question = longChatQuestion();
        String expected = expectedChat(question);
        fallback.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(streamOf(expected)).build());
        String body = chatBody(question, true, "");

        List<JsonNode> events = events(items(post("/v1/chat/completions", body)));

        assertEquals(expected, chatText(events));
        assertTrue(events.stream().allMatch(e -> e.path("model").asText().equals(first.modelId())
                        && e.path("id").asText().equals(events.get(0).path("id").asText())),
                "the fallback's events carry the id and model the client saw first");
        assertFalse(events.stream().anyMatch(e -> e.path("model").asText().equals("small")));
        assertEquals(1, attempts(first));
        assertEquals(2, fallback.getRequestCount());
        RecordedRequest prefill = fallback.takeRequest(5, TimeUnit.SECONDS);
        assertTrue(prefill.getBody().utf8().contains("\"continue_final_message\":true"));
        RecordedRequest regenerate = fallback.takeRequest(5, TimeUnit.SECONDS);
        assertEquals(JSON.readTree(body), JSON.readTree(regenerate.getBody().utf8()));
        assertEquals(1.0, recoveries("regenerated"));

        // The refusal is remembered: the next broken stream regenerates there at once.
        fallback.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(streamOf(expected)).build());
        assertEquals(expected, chatText(events(items(post("/v1/chat/completions", body)))));
        assertEquals(3, fallback.getRequestCount());
    }

    @Test
    void aRegeneratedAnswerThatDivergesEndsWithTheErrorEventNeverASplice() throws Exception {
        fallbackRefusingPrefill();
        String question = longChatQuestion();
        String expected = expectedChat(question);
        String other = firstWords(expected, 10) + " different" + expected.substring(firstWords(expected, 11).length());
        fallback.enqueue(new MockResponse.Builder().addHeader("Content-Type", "text/event-stream").body(streamOf(other)).build());

        List<JsonNode> events = events(items(post("/v1/chat/completions", chatBody(question, true, ""))));

        JsonNode error = events.get(events.size() - 1).path("error");
        assertEquals("recovery_diverged", error.path("type").asText());
        assertEquals(firstWords(expected, 40), chatText(events.subList(0, events.size() - 1)));
        assertFalse(chatText(events).contains("different"));
        assertEquals(2, fallback.getRequestCount());
        assertEquals(1.0, recoveries("diverged"));
    }
}
