package io.infergate.sim;

import java.util.List;

/** A finished generation: its tokens, the text they decode to (special tokens skipped), and why it stopped. */
record Outcome(List<Token> tokens, String text, boolean eos, int promptTokens) {

    static Outcome of(List<Token> tokens, int promptTokens) {
        StringBuilder text = new StringBuilder();
        for (Token token : tokens) {
            if (!token.special()) {
                text.append(token.text());
            }
        }
        boolean eos = !tokens.isEmpty() && tokens.get(tokens.size() - 1).special();
        return new Outcome(List.copyOf(tokens), text.toString(), eos, promptTokens);
    }

    int generatedTokens() {
        return tokens.size();
    }

    /** TGI's {@code FinishReason} as {@code to_string()} writes it. */
    String finishReason() {
        return eos ? "eos_token" : "length";
    }

    /** The OpenAI form ({@code FinishReason::format(true)}): EOS reads {@code stop}. */
    String openAiFinishReason() {
        return eos ? "stop" : "length";
    }
}
