package io.infergate.sim;

import com.fasterxml.jackson.core.JacksonException;
import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.util.Locale;

/**
 * Reads a generation request body as TGI's router does: axum's plain-text rejections for bodies that
 * are not JSON or not the expected type, and TGI's validation rules (reported by the caller, in-band on
 * streams).
 */
final class RequestParser {

    /** What parsing gives: a request (possibly invalid), or a rejection answered before any handler runs. */
    sealed interface Parsed permits Accepted, Rejected {}

    record Accepted(GenerationRequest request) implements Parsed {}

    /** A plain-text answer, as axum's extractors send. */
    record Rejected(HttpResponseStatus status, String body) implements Parsed {}

    private static final int MAX_STOP_SEQUENCES = 4;
    private static final String UNSUPPORTED_SUFFIX = "Suffix is not supported and can be achieved by preprocessing the prompt.";

    private final SimConfig config;

    RequestParser(SimConfig config) {
        this.config = config;
    }

    /** @param streamRoute the route's fixed streaming mode, or null when the body's {@code stream} decides */
    Parsed parse(Api api, Boolean streamRoute, String contentType, byte[] body) {
        if (contentType == null || !isJson(contentType)) {
            return new Rejected(HttpResponseStatus.UNSUPPORTED_MEDIA_TYPE, "Expected request with `Content-Type: application/json`");
        }
        JsonNode root;
        try {
            root = Json.MAPPER.readTree(body);
        } catch (IOException e) {
            return new Rejected(HttpResponseStatus.BAD_REQUEST, "Failed to parse the request body as JSON: " + brief(e));
        }
        try {
            if (root == null || !root.isObject()) {
                throw new BadField("invalid type: expected a JSON object");
            }
            return new Accepted(switch (api) {
                case GENERATE, COMPAT -> generate(api, streamRoute, root);
                case CHAT -> chat(root);
                case COMPLETIONS -> completion(root);
            });
        } catch (BadField e) {
            return new Rejected(HttpResponseStatus.UNPROCESSABLE_ENTITY,
                    "Failed to deserialize the JSON body into the target type: " + e.getMessage());
        } catch (Unsupported e) {
            return new Rejected(HttpResponseStatus.UNPROCESSABLE_ENTITY, Json.error(e.getMessage(), e.type));
        }
    }

    private GenerationRequest generate(Api api, Boolean streamRoute, JsonNode root) {
        String inputs = text(root, "inputs");
        JsonNode params = root.path("parameters");
        boolean stream = streamRoute != null ? streamRoute : bool(root, "stream");
        Integer maxNew = count(params, "max_new_tokens");
        Integer bestOf = count(params, "best_of");
        String problem;
        if (stream && bestOf != null && bestOf != 1) {
            problem = invalid("`best_of` != 1 is not supported when streaming tokens");
        } else if (stream && bool(params, "decoder_input_details")) {
            problem = invalid("`decoder_input_details` == true is not supported when streaming tokens");
        } else {
            problem = commonProblems(api, params, maxNew, inputs);
        }
        int promptTokens = TokenGenerator.countTokens(inputs);
        int max = maxNew == null ? config.defaultMaxNewTokens() : maxNew;
        boolean details = bool(params, "details") || bool(params, "decoder_input_details");
        return new GenerationRequest(api, stream, inputs, inputs, promptTokens, max, details,
                bool(params, "return_full_text"), false, config.modelId(), seed(params), problem);
    }

    private GenerationRequest chat(JsonNode root) {
        JsonNode messages = root.get("messages");
        if (messages == null || messages.isNull()) {
            throw new BadField("missing field `messages`");
        }
        if (!messages.isArray()) {
            throw new BadField("messages: invalid type, expected a sequence");
        }
        // vLLM's continue_final_message: a final assistant message is left open, to be continued.
        boolean continueLast = bool(root, "continue_final_message") && messages.size() > 0
                && "assistant".equals(messages.get(messages.size() - 1).path("role").asText());
        StringBuilder prompt = new StringBuilder("<|begin_of_text|>");
        for (int i = 0; i < messages.size(); i++) {
            JsonNode message = messages.get(i);
            String role = text(message, "role");
            prompt.append("<|start_header_id|>").append(role).append("<|end_header_id|>\n\n")
                    .append(content(message.get("content")));
            if (!continueLast || i < messages.size() - 1) {
                prompt.append("<|eot_id|>");
            }
        }
        if (!continueLast) {
            prompt.append("<|start_header_id|>assistant<|end_header_id|>\n\n");
        }
        Integer maxTokens = count(root, root.has("max_tokens") ? "max_tokens" : "max_completion_tokens");
        String templated = prompt.toString();
        String problem = commonProblems(Api.CHAT, root, maxTokens, templated);
        String model = root.path("model").asText("tgi");
        return new GenerationRequest(Api.CHAT, bool(root, "stream"), templated, templated,
                TokenGenerator.countTokens(templated), maxTokens == null ? config.defaultMaxNewTokens() : maxTokens,
                true, false, bool(root.path("stream_options"), "include_usage"),
                model.equals("tgi") ? config.modelId() : model, seed(root), problem);
    }

    private GenerationRequest completion(JsonNode root) {
        JsonNode promptNode = root.get("prompt");
        if (promptNode == null || promptNode.isNull()) {
            throw new BadField("missing field `prompt`");
        }
        String prompt;
        if (promptNode.isTextual()) {
            prompt = promptNode.asText();
        } else if (promptNode.isArray() && promptNode.size() >= 1 && promptNode.get(0).isTextual()) {
            if (promptNode.size() > 1) {
                // TGI interleaves several prompts in one stream; the simulator answers one prompt per request.
                throw new Unsupported("Input validation error: the simulator accepts one prompt per request", "validation");
            }
            prompt = promptNode.get(0).asText();
        } else {
            throw new BadField("prompt: invalid type, expected a string or a non-empty sequence of strings");
        }
        if (root.has("suffix") && !root.get("suffix").isNull()) {
            throw new Unsupported(UNSUPPORTED_SUFFIX, "suffix not supported");
        }
        Integer maxTokens = count(root, "max_tokens");
        String problem = commonProblems(Api.COMPLETIONS, root, maxTokens, prompt);
        return new GenerationRequest(Api.COMPLETIONS, bool(root, "stream"), prompt, prompt,
                TokenGenerator.countTokens(prompt), maxTokens == null ? config.defaultMaxNewTokens() : maxTokens,
                true, false, false, config.modelId(), seed(root), problem);
    }

    /** TGI's validation messages (router/src/validation.rs), in its order. */
    private String commonProblems(Api api, JsonNode params, Integer maxNew, String inputs) {
        // The OpenAI routes map temperature 0 to greedy decoding and top_p 1 to no nucleus sampling.
        JsonNode temperature = params.path("temperature");
        if (temperature.isNumber() && (temperature.asDouble() < 0 || (temperature.asDouble() == 0 && !api.openAi()))) {
            return invalid("`temperature` must be strictly positive");
        }
        JsonNode topP = params.path("top_p");
        if (topP.isNumber() && !api.openAi() && (topP.asDouble() <= 0 || topP.asDouble() >= 1)) {
            return invalid("`top_p` must be > 0.0 and < 1.0");
        }
        if (maxNew != null && maxNew == 0) {
            return invalid("`max_new_tokens` must be strictly positive");
        }
        JsonNode stop = params.path("stop");
        if (stop.isArray() && stop.size() > MAX_STOP_SEQUENCES) {
            return invalid("`stop` supports up to " + MAX_STOP_SEQUENCES + " stop sequences. Given: " + stop.size());
        }
        if (inputs.isEmpty()) {
            return invalid("`inputs` cannot be empty");
        }
        int inputTokens = TokenGenerator.countTokens(inputs);
        int requested = maxNew == null ? config.defaultMaxNewTokens() : maxNew;
        if (inputTokens + requested > config.maxTotalTokens()) {
            return invalid("`inputs` tokens + `max_new_tokens` must be <= " + config.maxTotalTokens() + ". Given: "
                    + inputTokens + " `inputs` tokens and " + requested + " `max_new_tokens`");
        }
        return null;
    }

    private static String invalid(String detail) {
        return "Input validation error: " + detail;
    }

    private static String content(JsonNode content) {
        if (content == null || content.isNull()) {
            return "";
        }
        if (content.isTextual()) {
            return content.asText();
        }
        if (content.isArray()) {
            StringBuilder text = new StringBuilder();
            for (JsonNode part : content) {
                text.append(part.path("text").asText(""));
            }
            return text.toString();
        }
        throw new BadField("content: invalid type, expected a string or a sequence of parts");
    }

    private static String text(JsonNode node, String field) {
        JsonNode value = node.get(field);
        if (value == null || value.isNull()) {
            throw new BadField("missing field `" + field + "`");
        }
        if (!value.isTextual()) {
            throw new BadField(field + ": invalid type: " + value.getNodeType().name().toLowerCase(Locale.ROOT)
                    + ", expected a string");
        }
        return value.asText();
    }

    private static boolean bool(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return false;
        }
        if (!value.isBoolean()) {
            throw new BadField(field + ": invalid type: " + value + ", expected a boolean");
        }
        return value.asBoolean();
    }

    /** An unsigned 32-bit count, as TGI's {@code u32} fields; null when absent. */
    private static Integer count(JsonNode node, String field) {
        JsonNode value = node.path(field);
        if (value.isMissingNode() || value.isNull()) {
            return null;
        }
        if (!value.isIntegralNumber()) {
            throw new BadField(field + ": invalid type: " + value + ", expected u32");
        }
        if (value.asLong() < 0 || value.asLong() > Integer.MAX_VALUE) {
            throw new BadField(field + ": invalid value: integer `" + value.asLong() + "`, expected u32");
        }
        return value.asInt();
    }

    private static Long seed(JsonNode node) {
        JsonNode value = node.path("seed");
        return value.isIntegralNumber() ? value.asLong() : null;
    }

    private static boolean isJson(String contentType) {
        String mime = contentType.split(";", 2)[0].trim().toLowerCase(Locale.ROOT);
        return mime.equals("application/json") || (mime.startsWith("application/") && mime.endsWith("+json"));
    }

    private static String brief(IOException e) {
        return e instanceof JacksonException j ? j.getOriginalMessage() : e.getMessage();
    }

    /** A body that is JSON but not the route's type. */
    private static final class BadField extends RuntimeException {
        BadField(String message) {
            super(message, null, false, false);
        }
    }

    /** A request TGI refuses with a JSON 422 before any generation starts. */
    private static final class Unsupported extends RuntimeException {
        final String type;

        Unsupported(String message, String type) {
            super(message, null, false, false);
            this.type = type;
        }
    }
}
