package io.infergate.core.admission;

import org.junit.jupiter.api.Test;

import java.util.Comparator;
import java.util.List;
import java.util.OptionalDouble;
import java.util.OptionalInt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TierTest {

    private static final AdmissionSettings ROUTE = AdmissionSettings.DEFAULTS;

    @Test
    void theDefaultsAreListedHighestPriorityFirst() {
        assertEquals(List.of("premium", "standard", "free"), Tier.DEFAULTS.stream().map(Tier::name).toList());
        assertEquals(Tier.DEFAULTS, Tier.DEFAULTS.stream().sorted(Comparator.comparingInt(Tier::priority).reversed()).toList());
        assertEquals(3, Tier.DEFAULTS.stream().mapToInt(Tier::priority).distinct().count());
    }

    @Test
    void freeShedsAtItsOwnThresholdsWhileThePayingTiersFollowTheRoute() {
        RouteLoad at84 = RouteLoad.ofGpuUtilization(0.84);
        RouteLoad at85 = RouteLoad.ofGpuUtilization(0.85);
        RouteLoad at95 = RouteLoad.ofGpuUtilization(0.95);
        assertFalse(Tier.FREE.shedsUnder(at84, ROUTE));
        assertTrue(Tier.FREE.shedsUnder(at85, ROUTE), "at the threshold");
        assertFalse(Tier.STANDARD.shedsUnder(at85, ROUTE));
        assertFalse(Tier.STANDARD.shedsUnder(RouteLoad.ofGpuUtilization(0.949), ROUTE));
        assertTrue(Tier.STANDARD.shedsUnder(at95, ROUTE));
        assertTrue(Tier.PREMIUM.shedsUnder(at95, ROUTE));

        assertFalse(Tier.FREE.shedsUnder(RouteLoad.ofQueueDepth(15), ROUTE));
        assertTrue(Tier.FREE.shedsUnder(RouteLoad.ofQueueDepth(16), ROUTE));
        assertFalse(Tier.STANDARD.shedsUnder(RouteLoad.ofQueueDepth(31), ROUTE));
        assertTrue(Tier.STANDARD.shedsUnder(RouteLoad.ofQueueDepth(32), ROUTE));
    }

    @Test
    void eitherSignalPastItsThresholdSheds() {
        RouteLoad busyQueueIdleGpu = new RouteLoad(OptionalDouble.of(0.1), OptionalInt.of(40));
        assertTrue(Tier.PREMIUM.shedsUnder(busyQueueIdleGpu, ROUTE));
        RouteLoad busyGpuEmptyQueue = new RouteLoad(OptionalDouble.of(0.99), OptionalInt.of(0));
        assertTrue(Tier.PREMIUM.shedsUnder(busyGpuEmptyQueue, ROUTE));
    }

    @Test
    void unknownLoadShedsNoTier() {
        for (Tier tier : Tier.DEFAULTS) {
            assertFalse(tier.shedsUnder(RouteLoad.UNKNOWN, ROUTE), tier.name());
        }
    }

    @Test
    void anOverrideWinsOverTheRouteEitherWay() {
        Tier gold = new Tier("gold", 40, OptionalDouble.of(0.99), OptionalInt.of(100));
        assertFalse(gold.shedsUnder(RouteLoad.ofGpuUtilization(0.98), ROUTE));
        assertFalse(gold.shedsUnder(RouteLoad.ofQueueDepth(99), ROUTE));
        assertTrue(gold.shedsUnder(RouteLoad.ofQueueDepth(100), ROUTE));
    }

    @Test
    void refusesThresholdsThatMeanNothing() {
        assertThrows(IllegalArgumentException.class, () -> new Tier(" ", 1, OptionalDouble.empty(), OptionalInt.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Tier("t", 1, OptionalDouble.of(0), OptionalInt.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Tier("t", 1, OptionalDouble.of(1.5), OptionalInt.empty()));
        assertThrows(IllegalArgumentException.class, () -> new Tier("t", 1, OptionalDouble.empty(), OptionalInt.of(0)));
        assertThrows(IllegalArgumentException.class, () -> new Tier("t", 1, null, OptionalInt.empty()));
        assertThrows(IllegalArgumentException.class, () -> RouteLoad.ofGpuUtilization(Double.NaN));
        assertThrows(IllegalArgumentException.class, () -> RouteLoad.ofQueueDepth(-1));
    }
}
