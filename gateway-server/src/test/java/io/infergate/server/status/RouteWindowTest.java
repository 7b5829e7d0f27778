package io.infergate.server.status;

import io.infergate.core.Ticker;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class RouteWindowTest {

    private final AtomicLong now = new AtomicLong(5_000_000_000L);
    private final Ticker ticker = now::get;
    private final RouteWindow window = new RouteWindow(ticker, now.get());

    private void advance(Duration by) {
        now.addAndGet(by.toNanos());
    }

    @Test
    void quantilesReadBackWithinNinePercent() {
        for (int ms = 1; ms <= 1000; ms++) {
            window.current().count(RouteWindow.Count.REQUESTS, 1);
            window.current().time(RouteWindow.Timing.LATENCY, Duration.ofMillis(ms).toNanos());
        }
        RouteWindow.Summary last = window.summary(Duration.ofMinutes(1));
        assertNear(0.500, last.quantile(RouteWindow.Timing.LATENCY, 0.50));
        assertNear(0.950, last.quantile(RouteWindow.Timing.LATENCY, 0.95));
        assertNear(0.990, last.quantile(RouteWindow.Timing.LATENCY, 0.99));
        assertTrue(Double.isNaN(last.quantile(RouteWindow.Timing.FIRST_TOKEN, 0.5)), "nothing timed");
    }

    private static void assertNear(double expected, double actual) {
        assertTrue(Math.abs(actual - expected) <= expected * 0.09, expected + " read back as " + actual);
    }

    @Test
    void theMinuteForgetsWhatTheFiveMinutesStillCount() {
        window.current().count(RouteWindow.Count.SHED_OVERLOAD, 3);
        advance(Duration.ofSeconds(90));
        window.current().count(RouteWindow.Count.SHED_OVERLOAD, 2);

        assertEquals(2, window.summary(Duration.ofMinutes(1)).count(RouteWindow.Count.SHED_OVERLOAD));
        assertEquals(5, window.summary(Duration.ofMinutes(5)).count(RouteWindow.Count.SHED_OVERLOAD));

        advance(Duration.ofMinutes(5));
        assertEquals(0, window.summary(Duration.ofMinutes(5)).count(RouteWindow.Count.SHED_OVERLOAD),
                "a slot's old counts are not read once its time has gone round");
        window.current().count(RouteWindow.Count.SHED_OVERLOAD, 1);
        assertEquals(1, window.summary(Duration.ofMinutes(5)).count(RouteWindow.Count.SHED_OVERLOAD),
                "and a slot reused starts from zero");
    }

    @Test
    void ratesAreOverTheTimeCoveredAndAtLeastASecond() {
        window.current().count(RouteWindow.Count.REQUESTS, 10);
        assertEquals(10.0, window.summary(Duration.ofMinutes(1)).perSecond(RouteWindow.Count.REQUESTS), 1e-9,
                "a gateway younger than a second counts a second");
        advance(Duration.ofSeconds(20));
        assertEquals(0.5, window.summary(Duration.ofMinutes(1)).perSecond(RouteWindow.Count.REQUESTS), 1e-9);
        advance(Duration.ofMinutes(2));
        window.current().count(RouteWindow.Count.REQUESTS, 60);
        RouteWindow.Summary minute = window.summary(Duration.ofMinutes(1));
        assertEquals(60, minute.count(RouteWindow.Count.REQUESTS));
        assertTrue(minute.perSecond(RouteWindow.Count.REQUESTS) >= 1.0
                && minute.perSecond(RouteWindow.Count.REQUESTS) <= 60.0 / 55, "over 55 to 60 s: " + minute.perSecond(RouteWindow.Count.REQUESTS));
    }

    @Test
    void theSeriesHasOneValuePerSlotOldestFirst() {
        window.current().count(RouteWindow.Count.REQUESTS, 4);
        advance(RouteWindow.SLOT);
        window.current().count(RouteWindow.Count.REQUESTS, 7);
        long[] series = window.series(RouteWindow.Count.REQUESTS);
        assertEquals(60, series.length);
        assertEquals(4, series[58]);
        assertEquals(7, series[59]);
        assertEquals(0, series[0]);
    }
}
