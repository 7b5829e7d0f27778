package io.infergate.server.tracing;

import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class GenAiRequestTest {

    @Test
    void theOperationIsNamedFromThePathAsTheGenAiConventionsNameIt() {
        Map<String, String> operations = Map.of(
                "/v1/chat/completions", "chat",
                "/openai/v1/chat/completions", "chat",
                "/v1/completions", "text_completion",
                "/generate", "text_completion",
                "/generate_stream", "text_completion",
                "/", "text_completion",
                "/v1/embeddings", "embeddings",
                "/info", "generate_content");
        operations.forEach((path, operation) -> assertEquals(operation, new GenAiRequest(path).operation(), path));
    }

    @Test
    void theModelAndTheTokenLimitAreReadFromTheTopLevelOfTheBody() {
        GenAiRequest chat = read("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"{\\\"model\\\":\\\"no\\\"}\"}],\"model\":\"llama\",\"max_tokens\":64}");
        assertEquals("llama", chat.model());
        assertEquals(64, chat.maxTokens());
        assertEquals("chat llama", chat.spanName());
        assertEquals(128, read("/v1/chat/completions", "{\"max_completion_tokens\":128}").maxTokens());
        GenAiRequest tgi = read("/generate", "{\"inputs\":\"hi\",\"parameters\":{\"temperature\":0.5,\"max_new_tokens\":20}}");
        assertNull(tgi.model());
        assertEquals(20, tgi.maxTokens());
        assertEquals("text_completion", tgi.spanName());
    }

    @Test
    void aBodyThatIsNoJsonObjectLeavesBothUnset() {
        for (String body : new String[] {"", "[1,2]", "{\"model\":", "not json", "{\"model\":7,\"max_tokens\":\"x\"}"}) {
            GenAiRequest request = read("/v1/completions", body);
            assertNull(request.model(), body);
            assertEquals(-1, request.maxTokens(), body);
        }
    }

    private static GenAiRequest read(String path, String body) {
        GenAiRequest request = new GenAiRequest(path);
        request.read(body.getBytes(StandardCharsets.UTF_8));
        return request;
    }
}
