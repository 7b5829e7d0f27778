package io.infergate.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@code /v1/completions}, with TGI's quirks: intermediate chunks have {@code finish_reason: ""} and a
 * different key order from the final chunk, whose reason is {@code eos_token|length} (not {@code stop}).
 */
final class CompletionFormat implements WireFormat {

    static final CompletionFormat INSTANCE = new CompletionFormat();

    private CompletionFormat() {}

    @Override
    public String tokenEvent(GenerationRequest request, Token token, int index, Outcome last) {
        ObjectNode chunk = Json.object();
        chunk.put("object", "text_completion");
        chunk.put("id", "");
        chunk.put("created", WireFormat.created());
        if (last == null) {
            choice(chunk, token.text(), "");
            chunk.put("model", request.responseModel());
            chunk.put("system_fingerprint", SYSTEM_FINGERPRINT);
        } else {
            chunk.put("model", request.responseModel());
            chunk.put("system_fingerprint", SYSTEM_FINGERPRINT);
            choice(chunk, token.text(), last.finishReason());
            ChatFormat.usage(chunk, last);
        }
        return Json.write(chunk);
    }

    @Override
    public List<String> trailer(GenerationRequest request, Outcome outcome) {
        return List.of("[DONE]");
    }

    @Override
    public List<String> streamError(String message, String type) {
        return List.of(Json.openAiStreamError(message), "[DONE]");
    }

    @Override
    public String body(GenerationRequest request, Outcome outcome) {
        ObjectNode response = Json.object();
        response.put("object", "text_completion");
        response.put("id", "");
        response.put("created", WireFormat.created());
        response.put("model", request.responseModel());
        response.put("system_fingerprint", SYSTEM_FINGERPRINT);
        choice(response, outcome.text(), outcome.openAiFinishReason());
        ChatFormat.usage(response, outcome);
        return Json.write(response);
    }

    private static void choice(ObjectNode node, String text, String finishReason) {
        ObjectNode choice = node.putArray("choices").addObject();
        choice.put("index", 0);
        choice.put("text", text);
        choice.putNull("logprobs");
        choice.put("finish_reason", finishReason);
    }
}
