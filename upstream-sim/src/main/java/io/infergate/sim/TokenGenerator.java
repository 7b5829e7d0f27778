package io.infergate.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Deterministic "model output": the same prompt, seed and limit always give the same tokens. Each
 * prompt has a natural length of 9 to 64 tokens, the last being the EOS token {@code </s>}; a request
 * whose {@code max_new_tokens} is lower ends with finish reason {@code length} instead, so a request
 * asking for at most {@value #ALWAYS_CUT_UP_TO} tokens always gets exactly that many, none special.
 */
final class TokenGenerator {

    static final int EOS_ID = 2;
    static final String EOS_TEXT = "</s>";
    static final int ALWAYS_CUT_UP_TO = 8;
    private static final int FIRST_WORD_ID = 1000;

    private static final String[] WORDS = (
            "the model a of to and in is that for it as with on was by this be are from at an or which "
            + "learning data network deep layer neural training input output token attention weight gradient "
            + "inference batch latency gateway request response stream server endpoint replica queue load "
            + "cache memory compute fast slow simple large small first next each every more most new old "
            + "can will may should would could has have had does did so then when while because").split(" ");

    private final long seed;

    TokenGenerator(long seed) {
        this.seed = seed;
    }

    /** The natural length (EOS included) of the answer to {@code prompt}. */
    int naturalLength(String prompt, Long requestSeed) {
        return ALWAYS_CUT_UP_TO + 1 + (int) Long.remainderUnsigned(hash(prompt, requestSeed), 56);
    }

    /** Up to {@code maxNewTokens} tokens; the last is EOS when the natural length fits. */
    List<Token> generate(String prompt, Long requestSeed, int maxNewTokens) {
        long base = hash(prompt, requestSeed);
        int natural = naturalLength(prompt, requestSeed);
        int count = Math.min(natural, maxNewTokens);
        List<Token> tokens = new ArrayList<>(count);
        for (int i = 0; i < count; i++) {
            long h = mix(base + 0x9E3779B97F4A7C15L * (i + 1));
            double logprob = -Long.remainderUnsigned(h >>> 20, 2000) / 1000.0;
            if (i == natural - 1) {
                tokens.add(new Token(EOS_ID, EOS_TEXT, logprob, true));
            } else {
                int word = (int) Long.remainderUnsigned(h, WORDS.length);
                tokens.add(new Token(FIRST_WORD_ID + word, " " + WORDS[word], logprob, false));
            }
        }
        return tokens;
    }

    private long hash(String prompt, Long requestSeed) {
        long h = seed ^ 0xCBF29CE484222325L;
        for (byte b : prompt.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001B3L;
        }
        if (requestSeed != null) {
            h ^= mix(requestSeed);
        }
        return mix(h);
    }

    /** SplitMix64's finaliser. */
    private static long mix(long z) {
        z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
        z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
        return z ^ (z >>> 31);
    }

    /** A rough token count for a prompt: about four characters per token, at least one. */
    static int countTokens(String text) {
        return Math.max(1, (text.length() + 3) / 4);
    }
}
