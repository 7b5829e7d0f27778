package io.infergate.sim;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TokenGeneratorTest {

    private final TokenGenerator generator = new TokenGenerator(42);

    @Test
    void theSamePromptAndSeedGiveTheSameTokens() {
        assertEquals(generator.generate("What is deep learning?", null, 30),
                new TokenGenerator(42).generate("What is deep learning?", null, 30));
    }

    @Test
    void anotherSimulatorSeedOrRequestSeedGivesOtherText() {
        List<Token> base = generator.generate("What is deep learning?", null, 8);
        assertNotEquals(base, new TokenGenerator(7).generate("What is deep learning?", null, 8));
        assertNotEquals(base, generator.generate("What is deep learning?", 1L, 8));
    }

    @Test
    void atMostEightTokensAreAlwaysCutByLength() {
        for (int i = 0; i < 200; i++) {
            List<Token> tokens = generator.generate("prompt " + i, null, TokenGenerator.ALWAYS_CUT_UP_TO);
            assertEquals(TokenGenerator.ALWAYS_CUT_UP_TO, tokens.size());
            assertTrue(tokens.stream().noneMatch(Token::special), "prompt " + i);
        }
    }

    @Test
    void aPromptEndsWithEosAtItsNaturalLengthWhenTheLimitAllows() {
        int natural = generator.naturalLength("hello", null);
        List<Token> tokens = generator.generate("hello", null, 1000);
        assertEquals(natural, tokens.size());
        Token last = tokens.get(tokens.size() - 1);
        assertEquals(new Token(TokenGenerator.EOS_ID, "</s>", last.logprob(), true), last);
        assertFalse(tokens.subList(0, natural - 1).stream().anyMatch(Token::special));
    }

    @Test
    void aWordAlwaysHasTheSameTokenId() {
        for (int i = 0; i < 50; i++) {
            for (Token token : generator.generate("p" + i, null, 8)) {
                for (Token other : generator.generate("q" + i, null, 8)) {
                    assertEquals(token.text().equals(other.text()), token.id() == other.id());
                }
                assertTrue(token.logprob() <= 0);
            }
        }
    }

    @Test
    void aPromptFollowedByThePrefixOfItsAnswerGetsTheRestOfThatAnswer() {
        for (Long seed : new Long[] {null, 5L}) {
            String prompt = "What is deep learning?";
            List<Token> whole = generator.generate(prompt, seed, 1000);
            for (int k : new int[] {1, 3, whole.size() - 2}) {
                String prefix = text(whole.subList(0, k));
                assertEquals(whole.subList(k, whole.size()), generator.generate(prompt + prefix, seed, 1000), "k=" + k);
                assertEquals(whole.subList(k, k + 1), generator.generate(prompt + prefix, seed, 1), "k=" + k);
            }
        }
    }

    @Test
    void aPromptThatOnlyResemblesItsAnswerIsAnsweredAsItIs() {
        String prompt = "What is deep learning?";
        List<Token> whole = generator.generate(prompt, null, 1000);
        String wrong = whole.get(0).text() + " notaword";
        assertEquals(generator.generate(prompt + wrong, null, 1000).size(),
                generator.naturalLength(prompt + wrong, null));
    }

    private static String text(List<Token> tokens) {
        StringBuilder text = new StringBuilder();
        tokens.forEach(t -> text.append(t.text()));
        return text.toString();
    }
}
