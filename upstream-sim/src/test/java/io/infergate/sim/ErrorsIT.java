package io.infergate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ErrorsIT {

    private static UpstreamSim sim;
    private static SimClient client;

    @BeforeAll
    static void start() throws InterruptedException {
        sim = UpstreamSim.builder().tokensPerSecond(0).start();
        client = new SimClient(sim);
    }

    @AfterAll
    static void stop() {
        sim.close();
    }

    @Test
    void malformedJsonIsAPlainText400LikeAxums() {
        HttpResponse<String> response = client.post("/generate", "{\"inputs\":");
        assertEquals(400, response.statusCode());
        assertTrue(response.headers().firstValue("content-type").orElseThrow().startsWith("text/plain"));
        assertTrue(response.body().startsWith("Failed to parse the request body as JSON: "), response.body());
    }

    @Test
    void aWrongContentTypeIs415() {
        HttpResponse<String> response = client.post("/generate", "{\"inputs\":\"x\"}", "content-type", "text/plain");
        assertEquals(415, response.statusCode());
        assertEquals("Expected request with `Content-Type: application/json`", response.body());
    }

    @Test
    void validationErrorsAreJson422OnNonStreamingRoutes() {
        for (String body : List.of("{\"inputs\":\"\"}", "{\"inputs\":\"x\",\"parameters\":{\"max_new_tokens\":0}}")) {
            HttpResponse<String> response = client.post("/generate", body);
            assertEquals(422, response.statusCode(), body);
            JsonNode error = SimClient.json(response.body());
            assertEquals("validation", error.get("error_type").asText());
            assertTrue(error.get("error").asText().startsWith("Input validation error: "));
        }
        HttpResponse<String> chat = client.post("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0}");
        assertEquals(422, chat.statusCode());
    }

    @Test
    void validationErrorsAre200AndOneInBandEventOnTgiStreams() {
        SimClient.Streamed stream = client.stream("/generate_stream", "{\"inputs\":\"\"}");
        assertEquals(200, stream.status());
        assertEquals("text/event-stream", stream.header("content-type"));
        assertEquals(List.of("{\"error\":\"Input validation error: `inputs` cannot be empty\",\"error_type\":\"validation\"}"),
                stream.events());
    }

    @Test
    void openAiStreamsReportErrorsWithStatus422InBandThenDone() {
        SimClient.Streamed stream = client.stream("/v1/chat/completions",
                "{\"messages\":[{\"role\":\"user\",\"content\":\"x\"}],\"max_tokens\":0,\"stream\":true}");
        assertEquals(200, stream.status());
        assertEquals(2, stream.events().size());
        JsonNode error = SimClient.json(stream.events().get(0)).get("error");
        assertEquals(422, error.get("http_status_code").asInt());
        assertEquals("Input validation error: `max_new_tokens` must be strictly positive", error.get("message").asText());
        assertEquals("[DONE]", stream.events().get(1));
    }
}
