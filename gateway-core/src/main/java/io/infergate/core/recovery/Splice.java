package io.infergate.core.recovery;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;

/**
 * A continuation's events made part of the stream the client already reads. After a prefill, the
 * continuation's text follows the transcript's: TGI's token index counts on, its final
 * {@code generated_text} is the whole answer, and usage moves the tokens the continuation read as
 * prompt back to the completion. After a regeneration, the text the client already has is compared
 * and swallowed, and the first new text relayed; text that differs is a divergence, never spliced.
 * Either way the events keep the id, model and creation time the client saw first, and no second
 * role is announced.
 */
public final class Splice {

    /** What becomes of one continuation event. */
    public sealed interface Step {}

    /** The event goes to the client as {@code data}. */
    public record Relay(String data) implements Step {}

    /** The event is swallowed. */
    public record Drop() implements Step {}

    /** The regenerated text differs from what the client has: the stream must end with an error. */
    public record Diverged() implements Step {}

    private static final Step DROP = new Drop();
    private static final Step DIVERGED = new Diverged();

    private final StreamTranscript transcript;
    private final boolean regenerated;
    /** The text and tokens the client had when the continuation began; the transcript grows on. */
    private final String priorText;
    private final long priorTokens;
    /** What of the delivered text a regeneration has yet to repeat. */
    private String toMatch;

    private Splice(StreamTranscript transcript, boolean regenerated) {
        this.transcript = transcript;
        this.regenerated = regenerated;
        this.priorText = transcript.text();
        this.priorTokens = transcript.tokens();
        this.toMatch = regenerated ? priorText : "";
    }

    /** The continuation follows the transcript's text, which it was given as a prefill. */
    public static Splice afterPrefill(StreamTranscript transcript) {
        return new Splice(transcript, false);
    }

    /** The continuation is the answer from its start, to be compared with the transcript's text. */
    public static Splice afterRegeneration(StreamTranscript transcript) {
        return new Splice(transcript, true);
    }

    /** Whether the regeneration has repeated all the client has (always true after a prefill). */
    public boolean caughtUp() {
        return toMatch.isEmpty();
    }

    /** The step for one continuation event's data; what is not JSON ({@code [DONE]}) passes as it is. */
    public Step next(String data) {
        JsonNode parsed = StreamTranscript.parse(data);
        if (!(parsed instanceof ObjectNode event) || event.has("error")) {
            return new Relay(data);
        }
        return transcript.dialect() == StreamDialect.TGI_GENERATE ? tgi(event) : openAi(event);
    }

    private Step tgi(ObjectNode event) {
        JsonNode token = event.path("token");
        boolean last = !event.path("generated_text").isMissingNode() && !event.path("generated_text").isNull();
        if (regenerated) {
            String piece = token.path("special").asBoolean(false) ? "" : token.path("text").asText("");
            Step matched = match(piece, last, rest -> ((ObjectNode) token).put("text", rest));
            return matched != null ? matched : new Relay(write(event));
        }
        long prior = priorTokens;
        if (event.path("index").isNumber()) {
            event.put("index", event.get("index").asLong() + prior);
        }
        if (last) {
            event.put("generated_text", priorText + event.get("generated_text").asText());
            JsonNode details = event.path("details");
            if (details.path("generated_tokens").isNumber()) {
                ((ObjectNode) details).put("generated_tokens", details.get("generated_tokens").asLong() + prior);
            }
        }
        return new Relay(write(event));
    }

    private Step openAi(ObjectNode event) {
        if (transcript.id() != null && event.has("id")) {
            event.put("id", transcript.id());
        }
        if (transcript.model() != null && event.has("model")) {
            event.put("model", transcript.model());
        }
        if (transcript.created() != null && event.has("created")) {
            event.set("created", transcript.created());
        }
        JsonNode choice = event.path("choices").path(0);
        boolean chat = transcript.dialect() == StreamDialect.CHAT;
        JsonNode holder = chat ? choice.path("delta") : choice;
        if (chat && holder instanceof ObjectNode delta && transcript.roleSent()) {
            delta.remove("role");
        }
        if (!regenerated) {
            shiftUsage(event.path("usage"));
        }
        String field = chat ? "content" : "text";
        String piece = holder.path(field).asText("");
        boolean last = StreamTranscript.finished(choice);
        if (regenerated && !caughtUp()) {
            Step matched = match(piece, last, rest -> ((ObjectNode) holder).put(field, rest));
            if (matched != null) {
                return matched;
            }
        }
        return chat && !last && piece.isEmpty() && !hasUsage(event) && onlyEmptyContent(holder)
                ? DROP : new Relay(write(event));
    }

    /** A chat delta that says nothing once its role is gone: it would only repeat the role's empty start. */
    private static boolean onlyEmptyContent(JsonNode delta) {
        for (var field : (Iterable<java.util.Map.Entry<String, JsonNode>>) delta::fields) {
            boolean emptyContent = field.getKey().equals("content")
                    && (field.getValue().isNull() || field.getValue().asText("").isEmpty());
            if (!emptyContent) {
                return false;
            }
        }
        return true;
    }

    private static boolean hasUsage(JsonNode event) {
        return event.path("usage").isObject();
    }

    /**
     * Compares a regenerated piece with what is left to match: null when the event is to be relayed
     * (as changed by {@code keepRest} when only its end is new), else the step to take.
     */
    private Step match(String piece, boolean last, java.util.function.Consumer<String> keepRest) {
        if (toMatch.isEmpty()) {
            return null;
        }
        if (toMatch.startsWith(piece)) {
            toMatch = toMatch.substring(piece.length());
            if (!last) {
                return DROP;
            }
            // An answer that ends before it repeated all the client has is another answer; one that
            // ends just there keeps its final event, without the text the client has.
            if (!toMatch.isEmpty()) {
                return DIVERGED;
            }
            keepRest.accept("");
            return null;
        }
        if (piece.startsWith(toMatch)) {
            keepRest.accept(piece.substring(toMatch.length()));
            toMatch = "";
            return null;
        }
        return DIVERGED;
    }

    /** The continuation read the prior tokens as prompt: they move back to the completion. */
    private void shiftUsage(JsonNode usage) {
        if (!(usage instanceof ObjectNode counts) || !counts.path("completion_tokens").isNumber()) {
            return;
        }
        long prior = priorTokens;
        counts.put("completion_tokens", counts.get("completion_tokens").asLong() + prior);
        if (counts.path("prompt_tokens").isNumber()) {
            counts.put("prompt_tokens", Math.max(0, counts.get("prompt_tokens").asLong() - prior));
        }
    }

    private static String write(JsonNode event) {
        try {
            return RecoverableRequest.JSON.writeValueAsString(event);
        } catch (JsonProcessingException impossible) {
            throw new IllegalStateException(impossible);
        }
    }
}
