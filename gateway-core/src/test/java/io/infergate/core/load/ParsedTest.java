package io.infergate.core.load;

import org.junit.jupiter.api.Test;

import java.util.Optional;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ParsedTest {

    @Test
    void aRejectionSaysWhyAndCarriesItThroughMap() {
        Parsed<Double> rejected = Parsed.rejected("eps is negative: -1.0");
        assertFalse(rejected.isAccepted());
        assertEquals("rejected: eps is negative: -1.0", rejected.toString());
        Parsed<String> mapped = rejected.map(d -> "never");
        assertEquals(Parsed.rejected("eps is negative: -1.0"), mapped);
        assertEquals(Optional.empty(), mapped.toOptional());
        IllegalStateException thrown = assertThrows(IllegalStateException.class, mapped::orElseThrow);
        assertEquals("rejected: eps is negative: -1.0", thrown.getMessage());
    }

    @Test
    void anAcceptedValueMapsAndUnwraps() {
        Parsed<Integer> length = Parsed.accepted("abc").map(String::length);
        assertTrue(length.isAccepted());
        assertEquals(3, length.orElseThrow());
        assertEquals(Optional.of(3), length.toOptional());
    }
}
