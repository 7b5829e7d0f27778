package io.infergate.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DurationSyntaxTest {

    @Test
    void eachUnitIsRead() {
        assertEquals(Duration.ofMillis(250), DurationSyntax.parse("250ms"));
        assertEquals(Duration.ofSeconds(10), DurationSyntax.parse("10s"));
        assertEquals(Duration.ofMinutes(5), DurationSyntax.parse("5m"));
        assertEquals(Duration.ofHours(1), DurationSyntax.parse("1h"));
    }

    @Test
    void zeroAndNegativeAreReadForTheCallerToJudge() {
        assertEquals(Duration.ZERO, DurationSyntax.parse("0s"));
        assertEquals(Duration.ofSeconds(-5), DurationSyntax.parse("-5s"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10", "s", "10 s", " 10s", "1.5s", "10S", "10sec", "1d", "+5s", "5s5ms"})
    void textThatIsNotIntegerAndUnitIsRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse(text));

        assertEquals('"' + text + "\" is not a duration (" + DurationSyntax.EXPECTED + ")", e.getMessage());
    }

    @Test
    void durationTooLongForJavaIsRefused() {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
                () -> DurationSyntax.parse("999999999999999999h"));

        assertEquals("\"999999999999999999h\" is too long a duration", e.getMessage());
    }

    @Test
    void aDurationIsShownInTheLargestUnitThatHoldsItExactly() {
        assertEquals("2h", DurationSyntax.format(Duration.ofHours(2)));
        assertEquals("90m", DurationSyntax.format(Duration.ofMinutes(90)));
        assertEquals("90s", DurationSyntax.format(Duration.ofSeconds(90)));
        assertEquals("1500ms", DurationSyntax.format(Duration.ofMillis(1500)));
        assertEquals("0s", DurationSyntax.format(Duration.ZERO));
    }
}
