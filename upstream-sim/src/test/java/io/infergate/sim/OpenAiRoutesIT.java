package io.infergate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static io.infergate.sim.GenerateRoutesIT.fieldNames;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class OpenAiRoutesIT {

    private static final String MODEL = "meta-llama/Llama-3.1-8B-Instruct";
    private static final String CHAT = "{\"messages\":[{\"role\":\"user\",\"content\":\"Say hello\"}],\"max_tokens\":%d%s}";
    private static UpstreamSim sim;
    private static SimClient client;

    @BeforeAll
    static void start() throws InterruptedException {
        sim = UpstreamSim.builder().tokensPerSecond(200).start();
        client = new SimClient(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void chatAnswersAChatCompletionWithUsage() {
        HttpResponse<String> response = client.post("/v1/chat/completions", CHAT.formatted(4, ""));
        assertEquals(200, response.statusCode());
        JsonNode body = SimClient.json(response.body());
        assertEquals(List.of("object", "id", "created", "model", "system_fingerprint", "choices", "usage"), fieldNames(body));
        assertEquals("chat.completion", body.get("object").asText());
        assertEquals("", body.get("id").asText());
        assertEquals(MODEL, body.get("model").asText());
        assertEquals("3.3.6-dev0-native", body.get("system_fingerprint").asText());
        JsonNode choice = body.get("choices").get(0);
        assertEquals("assistant", choice.get("message").get("role").asText());
        assertEquals("length", choice.get("finish_reason").asText());
        assertTrue(choice.get("logprobs").isNull());
        JsonNode usage = body.get("usage");
        assertEquals(4, usage.get("completion_tokens").asInt());
        assertEquals(usage.get("prompt_tokens").asInt() + 4, usage.get("total_tokens").asInt());
        assertEquals(response.headers().firstValue("x-prompt-tokens").orElseThrow(), usage.get("prompt_tokens").asText());
        assertTrue(response.headers().firstValue("x-compute-time").isPresent());
    }

    @Test
    void chatStreamsChunksWithTheRoleInEveryDeltaThenDone() {
        SimClient.Streamed stream = client.stream("/v1/chat/completions", CHAT.formatted(3, ",\"stream\":true"));
        assertEquals(List.of("[DONE]"), stream.events().subList(3, 4));
        assertEquals(4, stream.events().size());
        List<JsonNode> chunks = stream.jsonEvents();
        StringBuilder text = new StringBuilder();
        for (int i = 0; i < chunks.size(); i++) {
            JsonNode chunk = chunks.get(i);
            assertEquals("chat.completion.chunk", chunk.get("object").asText());
            assertTrue(chunk.get("usage").isNull());
            JsonNode choice = chunk.get("choices").get(0);
            assertEquals("assistant", choice.get("delta").get("role").asText());
            text.append(choice.get("delta").get("content").asText());
            assertEquals(i == 2 ? "length" : null, choice.get("finish_reason").isNull() ? null : choice.get("finish_reason").asText());
        }
        JsonNode whole = SimClient.json(client.post("/v1/chat/completions", CHAT.formatted(3, "")).body());
        assertEquals(whole.get("choices").get(0).get("message").get("content").asText(), text.toString());
    }

    @Test
    void includeUsageAddsAChunkWithNoChoicesBeforeDone() {
        SimClient.Streamed stream = client.stream("/v1/chat/completions",
                CHAT.formatted(2, ",\"stream\":true,\"stream_options\":{\"include_usage\":true}"));
        List<String> events = stream.events();
        assertEquals("[DONE]", events.get(events.size() - 1));
        JsonNode usageChunk = SimClient.json(events.get(events.size() - 2));
        assertEquals(0, usageChunk.get("choices").size());
        assertEquals(2, usageChunk.get("usage").get("completion_tokens").asInt());
    }

    @Test
    void chatEchoesAModelOtherThanTgi() {
        JsonNode body = SimClient.json(client.post("/v1/chat/completions",
                "{\"model\":\"adapter-1\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":1}").body());
        assertEquals("adapter-1", body.get("model").asText());
    }

    @Test
    void completionsAnswerTextCompletionWithoutComputeTime() {
        HttpResponse<String> response = client.post("/v1/completions", "{\"prompt\":\"Deep learning is\",\"max_tokens\":3}");
        JsonNode body = SimClient.json(response.body());
        assertEquals("text_completion", body.get("object").asText());
        assertEquals("length", body.get("choices").get(0).get("finish_reason").asText());
        assertEquals(3, body.get("usage").get("completion_tokens").asInt());
        assertTrue(response.headers().firstValue("x-compute-time").isEmpty());
        assertEquals("3", response.headers().firstValue("x-generated-tokens").orElseThrow());
    }

    @Test
    void completionStreamsUseTgisQuirkyFinishReasonsAndKeyOrders() {
        SimClient.Streamed stream = client.stream("/v1/completions",
                "{\"prompt\":\"Deep learning is\",\"max_tokens\":3,\"stream\":true}");
        assertEquals("[DONE]", stream.events().get(3));
        List<JsonNode> chunks = stream.jsonEvents();
        assertEquals(List.of("object", "id", "created", "choices", "model", "system_fingerprint"), fieldNames(chunks.get(0)));
        assertEquals("", chunks.get(0).get("choices").get(0).get("finish_reason").asText());
        JsonNode last = chunks.get(2);
        assertEquals(List.of("object", "id", "created", "model", "system_fingerprint", "choices", "usage"), fieldNames(last));
        assertEquals("length", last.get("choices").get(0).get("finish_reason").asText());
    }

    @Test
    void anEosEndReadsStopInChatAndEosTokenInCompletionStreams() {
        String prompt = "a prompt that ends";
        JsonNode chat = SimClient.json(client.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"" + prompt + "\"}],\"max_tokens\":200}").body());
        assertEquals("stop", chat.get("choices").get(0).get("finish_reason").asText());
        List<JsonNode> chunks = client.stream("/v1/completions",
                "{\"prompt\":\"" + prompt + "\",\"max_tokens\":200,\"stream\":true}").jsonEvents();
        JsonNode last = chunks.get(chunks.size() - 1).get("choices").get(0);
        assertEquals("eos_token", last.get("finish_reason").asText());
        assertEquals("</s>", last.get("text").asText());
    }
}
