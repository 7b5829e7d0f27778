package io.infergate.sim;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class DurationSyntaxTest {

    @Test
    void readsMillisecondsSecondsMinutesHoursAndZero() {
        assertEquals(Duration.ofMillis(250), DurationSyntax.parse("250ms"));
        assertEquals(Duration.ofSeconds(10), DurationSyntax.parse("10s"));
        assertEquals(Duration.ofMinutes(5), DurationSyntax.parse("5m"));
        assertEquals(Duration.ofHours(1), DurationSyntax.parse("1h"));
        assertEquals(Duration.ZERO, DurationSyntax.parse("0"));
    }

    @Test
    void anythingElseNamesTheExpectedForm() {
        var e = assertThrows(IllegalArgumentException.class, () -> DurationSyntax.parse("5 minutes"));
        assertEquals("duration: 5 minutes (expected: a whole number followed by ms, s, m or h, e.g. 250ms)", e.getMessage());
    }
}
