package io.infergate.core.recovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;

/**
 * The body that continues an answer on another endpoint. With prefill, the text the client already
 * has becomes the start of the answer: appended to TGI's {@code inputs} or a completion's prompt, or
 * sent as a final assistant message that the model continues (vLLM's {@code continue_final_message}
 * with {@code add_generation_prompt: false}); the token limit is reduced by the tokens already
 * generated. A regeneration is the original body, sent again.
 */
public final class ContinuationRequest {

    private ContinuationRequest() {}

    /**
     * The prefill body for {@code request} after {@code text} ({@code tokens} tokens) reached the
     * client; null when the request's token limit is already spent, so nothing may follow.
     */
    public static byte[] prefill(RecoverableRequest request, String text, long tokens) {
        ObjectNode body = request.body().deepCopy();
        boolean budgetLeft = switch (request.dialect()) {
            case TGI_GENERATE -> {
                body.put("inputs", body.path("inputs").asText() + text);
                yield reduce(body.path("parameters"), "max_new_tokens", tokens);
            }
            case CHAT -> {
                ArrayNode messages = (ArrayNode) body.get("messages");
                messages.addObject().put("role", "assistant").put("content", text);
                body.put("continue_final_message", true);
                body.put("add_generation_prompt", false);
                yield reduce(body, "max_tokens", tokens) & reduce(body, "max_completion_tokens", tokens);
            }
            case COMPLETIONS -> {
                JsonNode prompt = body.get("prompt");
                if (prompt.isArray()) {
                    ((ArrayNode) prompt).set(0, body.textNode(prompt.get(0).asText() + text));
                } else {
                    body.put("prompt", prompt.asText() + text);
                }
                yield reduce(body, "max_tokens", tokens);
            }
        };
        return budgetLeft ? write(body) : null;
    }

    /** The original body again, to be generated from the start and compared. */
    public static byte[] regenerate(RecoverableRequest request) {
        return write(request.body());
    }

    /** Lowers a present limit by {@code used}; false when nothing is left of it. */
    private static boolean reduce(JsonNode holder, String field, long used) {
        JsonNode limit = holder.path(field);
        if (!limit.isNumber()) {
            return true;
        }
        long left = limit.asLong() - used;
        if (left < 1) {
            return false;
        }
        ((ObjectNode) holder).put(field, left);
        return true;
    }

    private static byte[] write(ObjectNode body) {
        try {
            return RecoverableRequest.JSON.writeValueAsString(body).getBytes(StandardCharsets.UTF_8);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
