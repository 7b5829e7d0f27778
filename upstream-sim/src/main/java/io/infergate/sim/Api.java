package io.infergate.sim;

/** The generation route families; each has its own request and response shapes. */
enum Api {
    /** {@code /generate} and {@code /generate_stream}. */
    GENERATE,
    /** {@code POST /}: the same shapes, streaming chosen by the body, non-streaming answers wrapped in an array. */
    COMPAT,
    /** {@code /v1/chat/completions}. */
    CHAT,
    /** {@code /v1/completions}. */
    COMPLETIONS;

    /** Whether streams end with {@code data: [DONE]} and errors use the OpenAI shape. */
    boolean openAi() {
        return this == CHAT || this == COMPLETIONS;
    }
}
