package io.infergate.core.ratelimit;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class GeneratedTokensTest {

    @Test
    void tgiDetailsAndOpenAiUsageBothCount() {
        assertEquals(3, GeneratedTokens.inEvent("data: {\"generated_text\":\"x\",\"details\":{\"finish_reason\":\"eos_token\","
                + "\"generated_tokens\":3,\"seed\":null}}"));
        assertEquals(42, GeneratedTokens.inEvent("data: {\"choices\":[],\"usage\":{\"prompt_tokens\":39,"
                + "\"completion_tokens\": 42,\"total_tokens\":81}}"));
    }

    @Test
    void anEventWithoutACountSaysNothing() {
        assertEquals(-1, GeneratedTokens.inEvent("data: [DONE]"));
        assertEquals(-1, GeneratedTokens.inEvent("data: {\"generated_text\":\"x\",\"details\":null}"));
        assertEquals(-1, GeneratedTokens.inEvent("data: {\"completion_tokens\":\"many\"}"));
    }
}
