package io.infergate.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;

/** {@code /v1/chat/completions}: TGI's OpenAI-compatible chat shapes (router/src/chat.rs). */
final class ChatFormat implements WireFormat {

    static final ChatFormat INSTANCE = new ChatFormat();

    private ChatFormat() {}

    @Override
    public String tokenEvent(GenerationRequest request, Token token, int index, Outcome last) {
        ObjectNode chunk = head(request, "chat.completion.chunk");
        ObjectNode choice = chunk.putArray("choices").addObject();
        choice.put("index", 0);
        // Every chunk carries the role; special tokens (EOS) have empty content.
        choice.putObject("delta").put("role", "assistant").put("content", token.special() ? "" : token.text());
        choice.putNull("logprobs");
        if (last == null) {
            choice.putNull("finish_reason");
        } else {
            choice.put("finish_reason", last.openAiFinishReason());
        }
        chunk.putNull("usage");
        return Json.write(chunk);
    }

    @Override
    public List<String> trailer(GenerationRequest request, Outcome outcome) {
        List<String> events = new ArrayList<>(2);
        if (request.includeUsage()) {
            ObjectNode chunk = head(request, "chat.completion.chunk");
            chunk.putArray("choices");
            usage(chunk, outcome);
            events.add(Json.write(chunk));
        }
        events.add("[DONE]");
        return events;
    }

    @Override
    public List<String> streamError(String message, String type) {
        return List.of(Json.openAiStreamError(message), "[DONE]");
    }

    @Override
    public String body(GenerationRequest request, Outcome outcome) {
        ObjectNode response = head(request, "chat.completion");
        ObjectNode choice = response.putArray("choices").addObject();
        choice.put("index", 0);
        choice.putObject("message").put("role", "assistant").put("content", outcome.text());
        choice.putNull("logprobs");
        choice.put("finish_reason", outcome.openAiFinishReason());
        usage(response, outcome);
        return Json.write(response);
    }

    private static ObjectNode head(GenerationRequest request, String object) {
        ObjectNode node = Json.object();
        node.put("object", object);
        node.put("id", "");
        node.put("created", WireFormat.created());
        node.put("model", request.responseModel());
        node.put("system_fingerprint", SYSTEM_FINGERPRINT);
        return node;
    }

    static void usage(ObjectNode node, Outcome outcome) {
        node.putObject("usage")
                .put("prompt_tokens", outcome.promptTokens())
                .put("completion_tokens", outcome.generatedTokens())
                .put("total_tokens", outcome.promptTokens() + outcome.generatedTokens());
    }
}
