package io.infergate.sim;

import org.junit.jupiter.api.Test;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class FaultsTest {

    @Test
    void jsonUsesTheRecordsFieldNamesAndAbsentFieldsAreOff() throws Exception {
        Faults faults = Json.MAPPER.readValue("{\"stallAfterTokens\":3,\"count\":2}", Faults.class);
        assertEquals(Faults.none().withStallAfterTokens(3).withCount(2), faults);
        assertEquals(faults, Json.MAPPER.readValue(Json.write(faults), Faults.class));
        assertTrue(Json.write(Faults.none()).contains("\"errorRate\":0.0"));
    }

    @Test
    void anUnknownFieldOrAnOutOfRangeValueIsRefused() {
        assertThrows(Exception.class, () -> Json.MAPPER.readValue("{\"stallAfter\":3}", Faults.class));
        assertThrows(IllegalArgumentException.class, () -> Faults.none().withErrorRate(1.5));
        assertThrows(IllegalArgumentException.class, () -> Faults.none().withResetAfterTokens(0));
    }

    @Test
    void countedFaultsApplyToThatManyRequestsThenStop() {
        FaultInjector injector = new FaultInjector(1);
        injector.set(Faults.none().withHangBeforeHead(true).withCount(2));
        assertTrue(injector.next().hangBeforeHead());
        assertEquals(1, injector.current().count());
        assertTrue(injector.next().hangBeforeHead());
        assertEquals(FaultPlan.NONE, injector.next());
        assertEquals(Faults.none(), injector.current());
    }

    @Test
    void uncountedFaultsApplyToEveryRequest() {
        FaultInjector injector = new FaultInjector(1);
        injector.set(Faults.none().withErrorRate(1));
        for (int i = 0; i < 10; i++) {
            assertTrue(injector.next().error());
        }
        injector.set(Faults.none().withErrorRate(0.5));
        int errors = 0;
        for (int i = 0; i < 1000; i++) {
            errors += injector.next().error() ? 1 : 0;
        }
        assertTrue(errors > 400 && errors < 600, "errors: " + errors);
        assertFalse(Faults.none().active());
    }
}
