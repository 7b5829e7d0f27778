package io.infergate.server;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class CountsTest {

    @Test
    void oneTakesTheSingularAndEveryOtherCountThePlural() {
        assertEquals("0 routes", Counts.of(0, "route"));
        assertEquals("1 route", Counts.of(1, "route"));
        assertEquals("2 routes", Counts.of(2, "route"));
        assertEquals("1 request", Counts.of(1, "request"));
    }
}
