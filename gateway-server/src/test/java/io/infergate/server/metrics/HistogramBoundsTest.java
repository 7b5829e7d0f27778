package io.infergate.server.metrics;

import io.infergate.core.config.ConfigLoader;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class HistogramBoundsTest {

    private static List<Route> routes() throws Exception {
        return RouteTable.compile(ConfigLoader.load("""
                routes:
                  - name: chat
                    match: { pathPrefix: /v1/ }
                    timeouts: { connect: 3s, firstByte: 45s, streamIdle: 20s, total: 90s, firstToken: 15s }
                    upstreams: [ { name: a, endpoints: [ "http://127.0.0.1:1" ] } ]
                  - name: rest
                    match: { pathPrefix: / }
                    upstreams: [ { name: b, endpoints: [ "http://127.0.0.1:2" ] } ]
                """, Map.of())).routes();
    }

    private static List<Duration> list(Duration[] bounds) {
        return Arrays.asList(bounds);
    }

    private static void assertSortedAndDistinct(Duration[] bounds) {
        for (int i = 1; i < bounds.length; i++) {
            assertTrue(bounds[i - 1].compareTo(bounds[i]) < 0, list(bounds).toString());
        }
    }

    @Test
    void requestDurationsHaveTheLadderAndEightyAndAHundredPercentOfEveryRoutesTotalAndFirstByte() throws Exception {
        Duration[] bounds = HistogramBounds.requestDuration(routes());

        assertSortedAndDistinct(bounds);
        assertTrue(list(bounds).containsAll(HistogramBounds.LADDER));
        for (long seconds : new long[] {72, 90, 36, 45, 480, 600, 240, 300}) {
            assertTrue(list(bounds).contains(Duration.ofSeconds(seconds)), seconds + "s in " + list(bounds));
        }
        assertEquals(Duration.ofMillis(5), bounds[0]);
        assertEquals(Duration.ofSeconds(600), bounds[bounds.length - 1]);
    }

    @Test
    void firstTokensHaveTheFirstByteAndFirstTokenTimeouts() throws Exception {
        List<Duration> bounds = list(HistogramBounds.firstToken(routes()));

        for (long seconds : new long[] {12, 15, 36, 45, 240, 300}) {
            assertTrue(bounds.contains(Duration.ofSeconds(seconds)), seconds + "s in " + bounds);
        }
    }

    @Test
    void gapsConnectsAndQueueWaitsFollowTheirOwnTimeouts() throws Exception {
        List<Route> routes = routes();
        assertTrue(list(HistogramBounds.streamGap(routes)).containsAll(List.of(Duration.ofSeconds(16), Duration.ofSeconds(20),
                Duration.ofSeconds(96), Duration.ofMillis(1))));
        assertTrue(list(HistogramBounds.connect(routes)).containsAll(List.of(Duration.ofMillis(2400), Duration.ofSeconds(3),
                Duration.ofSeconds(8), Duration.ofSeconds(10), Duration.ofMillis(1))));
        List<Duration> queue = list(HistogramBounds.queueWait(routes));
        assertTrue(queue.containsAll(List.of(Duration.ofMillis(22_500), Duration.ofSeconds(150), Duration.ofSeconds(1))), queue.toString());
        assertSortedAndDistinct(HistogramBounds.queueWait(routes));
    }
}
