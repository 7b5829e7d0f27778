package io.infergate.sim;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Deterministic "model output": the same prompt, seed and limit always give the same tokens. Each
 * prompt has a natural length of 9 to 64 tokens, the last being the EOS token {@code </s>}; a request
 * whose {@code max_new_tokens} is lower ends with finish reason {@code length} instead, so a request
 * asking for at most {@value #ALWAYS_CUT_UP_TO} tokens always gets exactly that many, none special.
 * A prompt that ends with the first tokens of its own answer gets the rest of that answer.
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
        return naturalLength(hash(prompt, requestSeed));
    }

    /**
     * Up to {@code maxNewTokens} tokens; the last is EOS when the natural length fits. A prompt that
     * ends with the start of its own answer (the answer to what precedes that start) is continued, as a
     * greedy model continues its own text: the tokens after that start, so that a continuation of a
     * prefix yields the rest of the same answer.
     */
    List<Token> generate(String prompt, Long requestSeed, int maxNewTokens) {
        Continued continued = continuationOf(prompt, requestSeed);
        if (continued == null) {
            return answer(hash(prompt, requestSeed), 0, maxNewTokens);
        }
        return answer(continued.baseHash(), continued.skip(), maxNewTokens);
    }

    /** Tokens {@code from} onwards of the answer with hash {@code base}, at most {@code max} of them. */
    private List<Token> answer(long base, int from, int max) {
        int natural = naturalLength(base);
        int end = (int) Math.min(natural, (long) from + max);
        List<Token> tokens = new ArrayList<>(Math.max(0, end - from));
        for (int i = from; i < end; i++) {
            tokens.add(token(base, i, natural));
        }
        return tokens;
    }

    private static Token token(long base, int i, int natural) {
        long h = mix(base + 0x9E3779B97F4A7C15L * (i + 1));
        double logprob = -Long.remainderUnsigned(h >>> 20, 2000) / 1000.0;
        if (i == natural - 1) {
            return new Token(EOS_ID, EOS_TEXT, logprob, true);
        }
        int word = (int) Long.remainderUnsigned(h, WORDS.length);
        return new Token(FIRST_WORD_ID + word, " " + WORDS[word], logprob, false);
    }

    private static int naturalLength(long base) {
        return ALWAYS_CUT_UP_TO + 1 + (int) Long.remainderUnsigned(base, 56);
    }

    /** A prompt read as a base followed by the first {@code skip} tokens of the base's answer. */
    private record Continued(long baseHash, int skip) {}

    /**
     * The shortest base whose answer's first tokens are all the rest of {@code prompt}, or null. Every
     * token's text starts with a space, so only the bases that end before one are tried, their hashes
     * taken on the way through the prompt's bytes.
     */
    private Continued continuationOf(String prompt, Long requestSeed) {
        byte[] bytes = prompt.getBytes(StandardCharsets.UTF_8);
        long h = seed ^ 0xCBF29CE484222325L;
        for (int at = 0; at < bytes.length; at++) {
            if (bytes[at] == ' ' && at > 0) {
                long base = finish(h, requestSeed);
                int skip = tokensMatching(base, bytes, at);
                if (skip > 0) {
                    return new Continued(base, skip);
                }
            }
            h = (h ^ (bytes[at] & 0xff)) * 0x100000001B3L;
        }
        return null;
    }

    /** How many of the answer's first tokens {@code bytes[from..]} is, exactly; 0 when it is not such a start. */
    private static int tokensMatching(long base, byte[] bytes, int from) {
        int natural = naturalLength(base);
        int at = from;
        int count = 0;
        while (at < bytes.length && count < natural - 1) {
            byte[] text = token(base, count, natural).text().getBytes(StandardCharsets.UTF_8);
            if (at + text.length > bytes.length || !Arrays.equals(bytes, at, at + text.length, text, 0, text.length)) {
                return 0;
            }
            at += text.length;
            count++;
        }
        return at == bytes.length ? count : 0;
    }

    private long hash(String prompt, Long requestSeed) {
        long h = seed ^ 0xCBF29CE484222325L;
        for (byte b : prompt.getBytes(StandardCharsets.UTF_8)) {
            h = (h ^ (b & 0xff)) * 0x100000001B3L;
        }
        return finish(h, requestSeed);
    }

    private static long finish(long h, Long requestSeed) {
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
