package io.infergate.core.recovery;

import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RecoverableRequestTest {

    private static RecoverableRequest read(String path, String body) {
        return RecoverableRequest.read(path, body.getBytes(UTF_8));
    }

    @Test
    void plainStreamsOfEachDialectAreArmed() {
        assertTrue(read("/generate_stream", "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":60}}").armed());
        assertTrue(read("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],\"stream\":true}").armed());
        assertTrue(read("/v1/completions", "{\"prompt\":\"hi\",\"stream\":true,\"logprobs\":null}").armed());
        assertEquals(StreamDialect.CHAT, read("/v1/chat/completions", "{\"messages\":[{}]}").dialect());
    }

    @Test
    void whatMakesTheAnswerMoreThanItsTextDisarms() {
        String user = "\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}]";
        assertEquals("tools", read("/v1/chat/completions", "{" + user + ",\"tools\":[{\"type\":\"function\"}]}").disarmedBy());
        assertEquals("tools", read("/v1/chat/completions", "{" + user + ",\"functions\":[{}]}").disarmedBy());
        assertEquals("structured output", read("/v1/chat/completions",
                "{" + user + ",\"response_format\":{\"type\":\"json_object\"}}").disarmedBy());
        assertEquals("several answers", read("/v1/chat/completions", "{" + user + ",\"n\":2}").disarmedBy());
        assertEquals("log probabilities", read("/v1/chat/completions", "{" + user + ",\"logprobs\":true}").disarmedBy());
        assertEquals("log probabilities", read("/v1/completions", "{\"prompt\":\"a\",\"logprobs\":3}").disarmedBy());
        assertEquals("several answers", read("/v1/completions", "{\"prompt\":\"a\",\"best_of\":2}").disarmedBy());
        assertEquals("a grammar", read("/generate_stream",
                "{\"inputs\":\"a\",\"parameters\":{\"grammar\":{\"type\":\"json\",\"value\":{}}}}").disarmedBy());
        assertEquals("return_full_text", read("/generate_stream",
                "{\"inputs\":\"a\",\"parameters\":{\"return_full_text\":true}}").disarmedBy());
        assertTrue(read("/v1/chat/completions", "{" + user + ",\"n\":1,\"logprobs\":false}").armed());
    }

    @Test
    void bodiesWithoutAKnownShapeAreDisarmedNotRejected() {
        assertEquals("a body that is not JSON", read("/generate_stream", "{oops").disarmedBy());
        assertEquals("a path without a known stream shape", read("/v1/embeddings", "{}").disarmedBy());
        assertEquals("a prompt that is not one text", read("/v1/completions", "{\"prompt\":[\"a\",\"b\"]}").disarmedBy());
        assertNull(read("/v1/completions", "{\"prompt\":[\"a\"]}").disarmedBy());
    }
}
