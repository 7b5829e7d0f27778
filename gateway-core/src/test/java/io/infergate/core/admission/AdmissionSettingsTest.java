package io.infergate.core.admission;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;

class AdmissionSettingsTest {

    private static AdmissionSettings withQueue(int queue, double share) {
        return new AdmissionSettings(8, queue, Duration.ofSeconds(30), 0.95, 32, share);
    }

    @Test
    void theDefaultsAreTheDocumentedOnes() {
        assertEquals(new AdmissionSettings(256, 1, true, 256, Duration.ofSeconds(30), 0.95, 32, 0.5), AdmissionSettings.DEFAULTS);
    }

    @Test
    void slotsAreEndpointsTimesThePerEndpointLimit() {
        assertEquals(24, withQueue(256, 0.5).slots(3));
        assertEquals(0, withQueue(256, 0.5).slots(0));
    }

    @Test
    void aFixedLimitIsItsOwnLowerBound() {
        AdmissionSettings fixed = withQueue(256, 0.5);
        assertFalse(fixed.learnsLimit());
        assertEquals(8, fixed.minInFlightPerEndpoint());
    }

    @Test
    void aTenantMayHoldItsShareOfTheQueueRoundedDownButAlwaysOnePlace() {
        assertEquals(128, AdmissionSettings.DEFAULTS.queuePlacesPerTenant());
        assertEquals(3, withQueue(7, 0.5).queuePlacesPerTenant());
        assertEquals(7, withQueue(7, 1.0).queuePlacesPerTenant());
        assertEquals(1, withQueue(3, 0.1).queuePlacesPerTenant());
    }

    @Test
    void refusesLimitsThatMeanNothing() {
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(0, 256, Duration.ofSeconds(30), 0.95, 32, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(8, -1, Duration.ofSeconds(30), 0.95, 32, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(8, 256, Duration.ofSeconds(-1), 0.95, 32, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(8, 256, null, 0.95, 32, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(8, 256, Duration.ofSeconds(30), 0, 32, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(8, 256, Duration.ofSeconds(30), 1.01, 32, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(8, 256, Duration.ofSeconds(30), Double.NaN, 32, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(8, 256, Duration.ofSeconds(30), 0.95, 0, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(8, 9, true, 256, Duration.ofSeconds(30), 0.95, 32, 0.5));
        assertThrows(IllegalArgumentException.class, () -> new AdmissionSettings(8, 0, true, 256, Duration.ofSeconds(30), 0.95, 32, 0.5));
        assertThrows(IllegalArgumentException.class, () -> withQueue(256, 0));
        assertThrows(IllegalArgumentException.class, () -> withQueue(256, 1.5));
    }
}
