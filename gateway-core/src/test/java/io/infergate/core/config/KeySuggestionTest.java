package io.infergate.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class KeySuggestionTest {

    private static final List<String> KEYS = TimeoutsBinder.KEYS;

    @Test
    void levenshteinCountsSingleCharacterEdits() {
        assertEquals(0, KeySuggestion.levenshtein("total", "total"));
        assertEquals(1, KeySuggestion.levenshtein("totl", "total"));
        assertEquals(2, KeySuggestion.levenshtein("conect", "connects"));
        assertEquals(3, KeySuggestion.levenshtein("", "abc"));
        assertEquals(3, KeySuggestion.levenshtein("kitten", "sitting"));
    }

    @Test
    void keyWithinTwoEditsIsSuggested() {
        assertEquals(Optional.of("streamIdle"), KeySuggestion.closest("streamIdel", KEYS));
        assertEquals(Optional.of("connect"), KeySuggestion.closest("conect", KEYS));
    }

    @Test
    void keyDifferingOnlyInCaseIsSuggestedHoweverFarApart() {
        assertEquals(Optional.of("firstByte"), KeySuggestion.closest("FIRSTBYTE", KEYS));
    }

    @Test
    void nothingIsSuggestedForAKeyFarFromAll() {
        assertEquals(Optional.empty(), KeySuggestion.closest("heartbeat", KEYS));
    }
}
