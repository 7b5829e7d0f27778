package io.infergate.core.recovery;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;

import java.io.IOException;

/**
 * A streamed request as recovery sees it: its dialect and its body, read once when the stream is
 * delivered, or the reason it may not be continued. Continuing an answer replays its text as context;
 * that is only the same answer when nothing but the text matters, so tools and function calls,
 * structured output (TGI grammars, {@code response_format}), several choices ({@code n}, {@code best_of})
 * and log probabilities disarm it, as does TGI's {@code return_full_text}, whose text is not the answer.
 */
public final class RecoverableRequest {

    static final ObjectMapper JSON = new ObjectMapper();

    private final StreamDialect dialect;
    private final ObjectNode body;
    private final String disarmedBy;

    private RecoverableRequest(StreamDialect dialect, ObjectNode body, String disarmedBy) {
        this.dialect = dialect;
        this.body = body;
        this.disarmedBy = disarmedBy;
    }

    /** Reads {@code body}, sent to {@code path}; never throws on what the bytes say. */
    public static RecoverableRequest read(String path, byte[] body) {
        StreamDialect dialect = StreamDialect.forPath(path);
        if (dialect == null) {
            return disarmed("a path without a known stream shape");
        }
        JsonNode root;
        try {
            root = JSON.readTree(body);
        } catch (IOException notJson) {
            return disarmed("a body that is not JSON");
        }
        if (!(root instanceof ObjectNode object)) {
            return disarmed("a body that is not a JSON object");
        }
        String reason = switch (dialect) {
            case TGI_GENERATE -> tgiDisarm(object);
            case CHAT -> chatDisarm(object);
            case COMPLETIONS -> completionsDisarm(object);
        };
        return reason != null ? disarmed(reason) : new RecoverableRequest(dialect, object, null);
    }

    static RecoverableRequest disarmed(String reason) {
        return new RecoverableRequest(null, null, reason);
    }

    private static String tgiDisarm(ObjectNode root) {
        if (!root.path("inputs").isTextual()) {
            return "inputs that are not text";
        }
        JsonNode params = root.path("parameters");
        if (present(params, "grammar")) {
            return "a grammar";
        }
        if (moreThanOne(params, "best_of") || moreThanOne(params, "n")) {
            return "several answers";
        }
        if (params.path("decoder_input_details").asBoolean(false) || present(params, "top_n_tokens")) {
            return "log probabilities";
        }
        if (params.path("return_full_text").asBoolean(false)) {
            return "return_full_text";
        }
        return null;
    }

    private static String chatDisarm(ObjectNode root) {
        if (!root.path("messages").isArray() || root.path("messages").isEmpty()) {
            return "no messages";
        }
        if (present(root, "tools") || present(root, "functions") || present(root, "tool_choice")
                || present(root, "function_call")) {
            return "tools";
        }
        return openAiDisarm(root);
    }

    private static String completionsDisarm(ObjectNode root) {
        JsonNode prompt = root.path("prompt");
        boolean onePrompt = prompt.isTextual() || prompt.isArray() && prompt.size() == 1 && prompt.get(0).isTextual();
        if (!onePrompt) {
            return "a prompt that is not one text";
        }
        if (present(root, "suffix") || root.path("echo").asBoolean(false)) {
            return "suffix or echo";
        }
        return openAiDisarm(root);
    }

    private static String openAiDisarm(ObjectNode root) {
        if (present(root, "response_format") || present(root, "guided_json") || present(root, "guided_regex")
                || present(root, "guided_grammar") || present(root, "guided_choice")) {
            return "structured output";
        }
        if (moreThanOne(root, "n") || moreThanOne(root, "best_of")) {
            return "several answers";
        }
        JsonNode logprobs = root.path("logprobs");
        if (logprobs.asBoolean(false) || logprobs.isNumber() || present(root, "top_logprobs")) {
            return "log probabilities";
        }
        return null;
    }

    private static boolean present(JsonNode node, String field) {
        JsonNode value = node.path(field);
        return !value.isMissingNode() && !value.isNull() && !(value.isBoolean() && !value.asBoolean());
    }

    private static boolean moreThanOne(JsonNode node, String field) {
        return node.path(field).isNumber() && node.path(field).asInt() > 1;
    }

    /** Whether the stream may be continued elsewhere, as far as the request goes. */
    public boolean armed() {
        return disarmedBy == null;
    }

    /** What in the request disarms recovery; null when it is armed. */
    public String disarmedBy() {
        return disarmedBy;
    }

    public StreamDialect dialect() {
        return dialect;
    }

    /** The request's body as read; callers copy before they change it. */
    ObjectNode body() {
        return body;
    }
}
