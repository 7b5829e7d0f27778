package io.infergate.core.timeout;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ClientDeadlineTest {

    private static final long ROUTE = 60_000_000_000L;

    @Test
    void aShorterClientDeadlineWins() {
        assertEquals(5_000_000_000L, ClientDeadline.totalNanos("5", ROUTE));
        assertEquals(2_500_000_000L, ClientDeadline.totalNanos(" 2.5 ", ROUTE));
    }

    @Test
    void itCanNeverLengthenTheRoutes() {
        assertEquals(ROUTE, ClientDeadline.totalNanos("3600", ROUTE));
    }

    @Test
    void anythingButAPositiveNumberOfSecondsIsIgnored() {
        for (String value : new String[] {null, "", "soon", "-3", "0", "1e999", "NaN", "5s"}) {
            assertEquals(ROUTE, ClientDeadline.totalNanos(value, ROUTE), String.valueOf(value));
        }
    }
}
