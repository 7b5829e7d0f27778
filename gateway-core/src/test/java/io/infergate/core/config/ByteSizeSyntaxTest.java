package io.infergate.core.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class ByteSizeSyntaxTest {

    @Test
    void plainIntegerIsBytes() {
        assertEquals(10485760L, ByteSizeSyntax.parse("10485760"));
    }

    @Test
    void binarySuffixesMultiplyBy1024() {
        assertEquals(16L * 1024, ByteSizeSyntax.parse("16KiB"));
        assertEquals(10L * 1024 * 1024, ByteSizeSyntax.parse("10MiB"));
        assertEquals(1L << 30, ByteSizeSyntax.parse("1GiB"));
    }

    @Test
    void zeroAndNegativeAreReadForTheCallerToJudge() {
        assertEquals(0L, ByteSizeSyntax.parse("0MiB"));
        assertEquals(-1024L, ByteSizeSyntax.parse("-1KiB"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "10MB", "10kib", "10 MiB", "1.5MiB", "MiB", "10B", "1TiB", "0x10"})
    void textThatIsNotASizeIsRefused(String text) {
        IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> ByteSizeSyntax.parse(text));

        assertEquals('"' + text + "\" is not a byte size (" + ByteSizeSyntax.EXPECTED + ")", e.getMessage());
    }

    @Test
    void sizeThatOverflowsALongIsRefused() {
        assertEquals("\"9999999999999GiB\" is too large a byte size",
                assertThrows(IllegalArgumentException.class, () -> ByteSizeSyntax.parse("9999999999999GiB")).getMessage());
        assertEquals("\"9999999999999999999\" is too large a byte size",
                assertThrows(IllegalArgumentException.class, () -> ByteSizeSyntax.parse("9999999999999999999")).getMessage());
    }
}
