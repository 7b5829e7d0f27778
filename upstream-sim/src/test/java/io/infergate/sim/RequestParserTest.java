package io.infergate.sim;

import io.netty.handler.codec.http.HttpResponseStatus;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RequestParserTest {

    private final RequestParser parser = new RequestParser(UpstreamSim.builder().maxTotalTokens(100).config());

    private RequestParser.Parsed parse(Api api, Boolean stream, String body) {
        return parser.parse(api, stream, "application/json", body.getBytes(StandardCharsets.UTF_8));
    }

    private GenerationRequest accepted(Api api, Boolean stream, String body) {
        return assertInstanceOf(RequestParser.Accepted.class, parse(api, stream, body)).request();
    }

    private String problem(Api api, Boolean stream, String body) {
        return accepted(api, stream, body).validationError();
    }

    @Test
    void aBodyThatIsNotJsonIsAxumsPlainTextBadRequest() {
        var rejected = assertInstanceOf(RequestParser.Rejected.class, parse(Api.GENERATE, false, "{not json"));
        assertEquals(HttpResponseStatus.BAD_REQUEST, rejected.status());
        assertTrue(rejected.body().startsWith("Failed to parse the request body as JSON: "), rejected.body());
    }

    @Test
    void aMissingOrMistypedFieldIsAxumsPlainText422() {
        for (String body : new String[] {"{}", "{\"inputs\": 3}", "[]", "{\"inputs\":\"x\",\"parameters\":{\"max_new_tokens\":-1}}"}) {
            var rejected = assertInstanceOf(RequestParser.Rejected.class, parse(Api.GENERATE, false, body));
            assertEquals(HttpResponseStatus.UNPROCESSABLE_ENTITY, rejected.status(), body);
            assertTrue(rejected.body().startsWith("Failed to deserialize the JSON body into the target type: "), body);
        }
    }

    @Test
    void aNonJsonContentTypeIs415() {
        var rejected = assertInstanceOf(RequestParser.Rejected.class,
                parser.parse(Api.GENERATE, false, "text/plain", "{}".getBytes(StandardCharsets.UTF_8)));
        assertEquals(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, rejected.status());
    }

    @Test
    void validationProblemsUseTgisMessages() {
        assertEquals("Input validation error: `inputs` cannot be empty", problem(Api.GENERATE, false, "{\"inputs\":\"\"}"));
        assertEquals("Input validation error: `max_new_tokens` must be strictly positive",
                problem(Api.GENERATE, false, "{\"inputs\":\"x\",\"parameters\":{\"max_new_tokens\":0}}"));
        assertEquals("Input validation error: `temperature` must be strictly positive",
                problem(Api.GENERATE, false, "{\"inputs\":\"x\",\"parameters\":{\"temperature\":0}}"));
        assertEquals("Input validation error: `inputs` tokens + `max_new_tokens` must be <= 100. Given: 1 `inputs` tokens and 100 `max_new_tokens`",
                problem(Api.GENERATE, false, "{\"inputs\":\"x\",\"parameters\":{\"max_new_tokens\":100}}"));
        assertEquals("Input validation error: `best_of` != 1 is not supported when streaming tokens",
                problem(Api.GENERATE, true, "{\"inputs\":\"x\",\"parameters\":{\"best_of\":2}}"));
        assertEquals("Input validation error: `max_new_tokens` must be strictly positive",
                problem(Api.CHAT, null, "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"max_tokens\":0}"));
    }

    @Test
    void missingParametersTakeTheDefaults() {
        GenerationRequest request = accepted(Api.COMPAT, null, "{\"inputs\":\"What is deep learning?\"}");
        assertFalse(request.stream());
        assertFalse(request.details());
        assertEquals(20, request.maxNewTokens());
        assertNull(request.validationError());
        assertEquals(6, request.promptTokens());
    }

    @Test
    void chatTemplatesTheConversationAndEchoesAnExplicitModel() {
        GenerationRequest request = accepted(Api.CHAT, null,
                "{\"model\":\"my-lora\",\"stream\":true,\"stream_options\":{\"include_usage\":true},"
                        + "\"messages\":[{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"hi\"}]}]}");
        assertEquals("<|begin_of_text|><|start_header_id|>user<|end_header_id|>\n\nhi<|eot_id|>"
                + "<|start_header_id|>assistant<|end_header_id|>\n\n", request.prompt());
        assertEquals("my-lora", request.responseModel());
        assertTrue(request.stream() && request.includeUsage() && request.details());
        assertEquals("meta-llama/Llama-3.1-8B-Instruct",
                accepted(Api.CHAT, null, "{\"model\":\"tgi\",\"messages\":[]}").responseModel());
    }

    @Test
    void completionsRefuseASuffixWithJson422() {
        var rejected = assertInstanceOf(RequestParser.Rejected.class,
                parse(Api.COMPLETIONS, null, "{\"prompt\":\"x\",\"suffix\":\"y\"}"));
        assertEquals(HttpResponseStatus.UNPROCESSABLE_ENTITY, rejected.status());
        assertTrue(rejected.body().contains("\"error_type\":\"suffix not supported\""), rejected.body());
    }
}
