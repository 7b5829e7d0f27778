package io.infergate.sim;

import java.util.List;

/** The JSON one route family answers with: stream events, the end of a stream, errors and whole bodies. */
interface WireFormat {

    String VERSION = "3.3.6-dev0";
    String SYSTEM_FINGERPRINT = VERSION + "-native";

    /** The event for the {@code index}-th token (from 1); {@code last} is the outcome when it is the final one. */
    String tokenEvent(GenerationRequest request, Token token, int index, Outcome last);

    /** Events after the final token event ({@code [DONE]}, usage). */
    List<String> trailer(GenerationRequest request, Outcome outcome);

    /** The events an error becomes once a stream has started. */
    List<String> streamError(String message, String type);

    /** A non-streaming response body. */
    String body(GenerationRequest request, Outcome outcome);

    static WireFormat of(Api api) {
        return switch (api) {
            case GENERATE -> GenerateFormat.PLAIN;
            case COMPAT -> GenerateFormat.WRAPPED;
            case CHAT -> ChatFormat.INSTANCE;
            case COMPLETIONS -> CompletionFormat.INSTANCE;
        };
    }

    static long created() {
        return System.currentTimeMillis() / 1000;
    }
}
