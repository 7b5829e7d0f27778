package io.infergate.core.job;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

class WebhookBackoffTest {

    private static final Duration SECOND = Duration.ofSeconds(1);

    @Test
    void theCeilingDoublesFromTheBaseUpToTheCap() {
        WebhookBackoff backoff = new WebhookBackoff(SECOND, Duration.ofSeconds(10), () -> 0.5);
        List<Duration> ceilings = new ArrayList<>();
        for (int failed = 1; failed <= 6; failed++) {
            ceilings.add(backoff.maxDelay(failed));
        }
        assertEquals(List.of(Duration.ofSeconds(1), Duration.ofSeconds(2), Duration.ofSeconds(4),
                Duration.ofSeconds(8), Duration.ofSeconds(10), Duration.ofSeconds(10)), ceilings);
    }

    @Test
    void theDelayIsAUniformDrawUpToTheCeiling() {
        assertEquals(Duration.ZERO, new WebhookBackoff(SECOND, Duration.ofMinutes(1), () -> 0).delay(3));
        assertEquals(Duration.ofSeconds(1), new WebhookBackoff(SECOND, Duration.ofMinutes(1), () -> 0.25).delay(3));
        assertEquals(Duration.ofMillis(3_999), new WebhookBackoff(SECOND, Duration.ofMinutes(1), () -> 0.99975)
                .delay(3));
    }

    @Test
    void manyFailuresStayAtTheCapWithoutOverflowing() {
        WebhookBackoff backoff = new WebhookBackoff(Duration.ofHours(1), Duration.ofDays(1), () -> 0.5);
        assertEquals(Duration.ofHours(12), backoff.delay(100));
        assertEquals(Duration.ofDays(1), backoff.maxDelay(Integer.MAX_VALUE));
        assertEquals(WebhookBackoff.DEFAULT_CAP, WebhookBackoff.of(SECOND).maxDelay(50));
        assertEquals(Duration.ofHours(2), WebhookBackoff.of(Duration.ofHours(2)).maxDelay(3), "a base past the cap");
    }

    @Test
    void countingStartsAtOneFailure() {
        WebhookBackoff backoff = WebhookBackoff.of(SECOND);
        assertThrows(IllegalArgumentException.class, () -> backoff.delay(0));
        assertThrows(IllegalArgumentException.class, () -> new WebhookBackoff(Duration.ZERO, SECOND, () -> 0));
        assertThrows(IllegalArgumentException.class, () -> new WebhookBackoff(SECOND, Duration.ofMillis(1), () -> 0));
    }
}
