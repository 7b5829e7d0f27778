package io.infergate.core.recovery;

import com.fasterxml.jackson.databind.JsonNode;

import java.io.IOException;

/**
 * What of an answer reached the client, read from the events as they are relayed: the text, the
 * tokens it took, and the fields a continuation's events must repeat (the id, the model, the time
 * of creation). Kept only for a stream recovery is armed for.
 */
public final class StreamTranscript {

    private final StreamDialect dialect;
    private final StringBuilder text = new StringBuilder();
    private long tokens;
    private String id;
    private String model;
    private JsonNode created;
    private boolean roleSent;
    private boolean ended;

    public StreamTranscript(StreamDialect dialect) {
        this.dialect = dialect;
    }

    /** One event's data, as relayed to the client; what is not an answer's JSON is passed over. */
    public void relayed(String data) {
        JsonNode event = parse(data);
        if (event == null) {
            return;
        }
        if (event.has("error")) {
            ended = true;
            return;
        }
        switch (dialect) {
            case TGI_GENERATE -> {
                JsonNode token = event.path("token");
                if (!token.path("special").asBoolean(false)) {
                    text.append(token.path("text").asText(""));
                }
                tokens = Math.max(tokens, event.path("index").asLong(tokens + 1));
                ended |= !event.path("generated_text").isMissingNode() && !event.path("generated_text").isNull();
            }
            case CHAT, COMPLETIONS -> {
                remember(event);
                JsonNode choice = event.path("choices").path(0);
                JsonNode delta = dialect == StreamDialect.CHAT ? choice.path("delta") : choice;
                roleSent |= delta.path("role").isTextual();
                String piece = delta.path(dialect == StreamDialect.CHAT ? "content" : "text").asText("");
                if (!piece.isEmpty()) {
                    text.append(piece);
                    tokens++;
                }
                ended |= finished(choice);
            }
        }
    }

    private void remember(JsonNode event) {
        if (id == null && event.path("id").isTextual()) {
            id = event.get("id").asText();
            model = event.path("model").isTextual() ? event.get("model").asText() : null;
            created = event.get("created");
        }
    }

    /** Whether an OpenAI choice carries its finish reason (TGI's completions send {@code ""} until then). */
    static boolean finished(JsonNode choice) {
        return !choice.path("finish_reason").asText("").isEmpty();
    }

    static JsonNode parse(String data) {
        String trimmed = data.strip();
        if (!trimmed.startsWith("{")) {
            return null;
        }
        try {
            return RecoverableRequest.JSON.readTree(trimmed);
        } catch (IOException notJson) {
            return null;
        }
    }

    public StreamDialect dialect() {
        return dialect;
    }

    /** The answer's text the client has. */
    public String text() {
        return text.toString();
    }

    /** The tokens that text took, as the stream counted them. */
    public long tokens() {
        return tokens;
    }

    /** Whether content reached the client: only then is there something to continue. */
    public boolean hasContent() {
        return text.length() > 0;
    }

    /** Whether the answer already ended (its finish reason, its final text, or an error): nothing to continue. */
    public boolean ended() {
        return ended;
    }

    String id() {
        return id;
    }

    String model() {
        return model;
    }

    JsonNode created() {
        return created;
    }

    boolean roleSent() {
        return roleSent;
    }
}
