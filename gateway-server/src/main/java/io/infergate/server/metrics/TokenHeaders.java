package io.infergate.server.metrics;

/** TGI's token counts on a response head: {@code x-prompt-tokens} and {@code x-generated-tokens}. */
final class TokenHeaders {

    static final String PROMPT_TOKENS = "x-prompt-tokens";
    static final String GENERATED_TOKENS = "x-generated-tokens";

    private TokenHeaders() {}

    /** A count as the header gives it; -1 when absent, negative or not a number. */
    static long count(String value) {
        if (value == null) {
            return -1;
        }
        try {
            long n = Long.parseLong(value.trim());
            return n < 0 ? -1 : n;
        } catch (NumberFormatException e) {
            return -1;
        }
    }
}
