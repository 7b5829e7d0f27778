package io.infergate.sim;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.util.List;

/** TGI's own shapes ({@code GenerateResponse}, {@code StreamResponse}); route {@code /} wraps bodies in an array. */
final class GenerateFormat implements WireFormat {

    static final GenerateFormat PLAIN = new GenerateFormat(false);
    static final GenerateFormat WRAPPED = new GenerateFormat(true);

    private final boolean wrapped;

    private GenerateFormat(boolean wrapped) {
        this.wrapped = wrapped;
    }

    @Override
    public String tokenEvent(GenerationRequest request, Token token, int index, Outcome last) {
        ObjectNode event = Json.object();
        event.put("index", index);
        token(event.putObject("token"), token);
        if (last == null) {
            event.putNull("generated_text");
            event.putNull("details");
        } else {
            event.put("generated_text", generatedText(request, last));
            if (request.details()) {
                ObjectNode details = event.putObject("details");
                details.put("finish_reason", last.finishReason());
                details.put("generated_tokens", last.generatedTokens());
                seed(details, request);
                details.put("input_length", last.promptTokens());
            } else {
                event.putNull("details");
            }
        }
        return Json.write(event);
    }

    @Override
    public List<String> trailer(GenerationRequest request, Outcome outcome) {
        return List.of();
    }

    @Override
    public List<String> streamError(String message, String type) {
        return List.of(Json.error(message, type));
    }

    @Override
    public String body(GenerationRequest request, Outcome outcome) {
        ObjectNode response = Json.object();
        response.put("generated_text", generatedText(request, outcome));
        if (request.details()) {
            ObjectNode details = response.putObject("details");
            details.put("finish_reason", outcome.finishReason());
            details.put("generated_tokens", outcome.generatedTokens());
            seed(details, request);
            details.putArray("prefill");
            ArrayNode tokens = details.putArray("tokens");
            outcome.tokens().forEach(t -> token(tokens.addObject(), t));
        }
        if (!wrapped) {
            return Json.write(response);
        }
        ArrayNode array = Json.MAPPER.createArrayNode();
        array.add(response);
        return Json.write(array);
    }

    private static String generatedText(GenerationRequest request, Outcome outcome) {
        return request.returnFullText() ? request.inputs() + outcome.text() : outcome.text();
    }

    private static void seed(ObjectNode details, GenerationRequest request) {
        if (request.seed() == null) {
            details.putNull("seed");
        } else {
            details.put("seed", request.seed());
        }
    }

    static void token(ObjectNode node, Token token) {
        node.put("id", token.id());
        node.put("text", token.text());
        node.put("logprob", token.logprob());
        node.put("special", token.special());
    }
}
