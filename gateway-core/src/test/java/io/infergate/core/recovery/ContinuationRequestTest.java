package io.infergate.core.recovery;

import org.junit.jupiter.api.Test;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class ContinuationRequestTest {

    private static String prefill(String path, String body, String text, long tokens) {
        byte[] out = ContinuationRequest.prefill(RecoverableRequest.read(path, body.getBytes(UTF_8)), text, tokens);
        return out == null ? null : new String(out, UTF_8);
    }

    @Test
    void tgiInputsGetTheTextAndTheLimitShrinks() {
        assertEquals("{\"inputs\":\"Q: a the\",\"parameters\":{\"max_new_tokens\":58,\"seed\":3}}",
                prefill("/generate_stream", "{\"inputs\":\"Q:\",\"parameters\":{\"max_new_tokens\":60,\"seed\":3}}",
                        " a the", 2));
    }

    @Test
    void chatEndsWithTheAssistantsPartialAnswerToContinue() {
        assertEquals("{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"},"
                        + "{\"role\":\"assistant\",\"content\":\" so far\"}],\"stream\":true,\"max_tokens\":18,"
                        + "\"continue_final_message\":true,\"add_generation_prompt\":false}",
                prefill("/v1/chat/completions", "{\"model\":\"m\",\"messages\":[{\"role\":\"user\",\"content\":\"hi\"}],"
                        + "\"stream\":true,\"max_tokens\":20}", " so far", 2));
        assertEquals("{\"messages\":[{\"role\":\"user\"},{\"role\":\"assistant\",\"content\":\"x\"}],"
                        + "\"max_completion_tokens\":9,\"continue_final_message\":true,\"add_generation_prompt\":false}",
                prefill("/v1/chat/completions", "{\"messages\":[{\"role\":\"user\"}],\"max_completion_tokens\":10}", "x", 1));
    }

    @Test
    void completionsPromptGetsTheText() {
        assertEquals("{\"prompt\":\"Once upon\",\"max_tokens\":7}",
                prefill("/v1/completions", "{\"prompt\":\"Once\",\"max_tokens\":8}", " upon", 1));
        assertEquals("{\"prompt\":[\"Once upon\"]}", prefill("/v1/completions", "{\"prompt\":[\"Once\"]}", " upon", 1));
    }

    @Test
    void aSpentLimitLeavesNothingToContinue() {
        assertNull(prefill("/v1/completions", "{\"prompt\":\"a\",\"max_tokens\":3}", " b c d", 3));
    }

    @Test
    void regenerationSendsTheOriginalBody() {
        String body = "{\"inputs\":\"Q:\",\"parameters\":{\"max_new_tokens\":60}}";
        assertEquals(body, new String(ContinuationRequest.regenerate(
                RecoverableRequest.read("/generate_stream", body.getBytes(UTF_8))), UTF_8));
    }

    @Test
    void prefillRefusalsAreToldFromOtherClientErrors() {
        assertEquals(true, PrefillRefusal.named(400, "{\"error\":{\"code\":\"invalid_prefill\"}}".getBytes(UTF_8)));
        assertEquals(true, PrefillRefusal.named(422, "continue_final_message is not supported".getBytes(UTF_8)));
        assertEquals(false, PrefillRefusal.named(400, "{\"error\":\"max_tokens too large\"}".getBytes(UTF_8)));
        assertEquals(false, PrefillRefusal.named(500, "prefill failed".getBytes(UTF_8)));
    }
}
