package io.infergate.core.load;

import io.infergate.core.load.LoadReport.Source;
import org.junit.jupiter.api.Test;

import java.util.Map;
import java.util.function.Function;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class NamedLoadHeadersTest {

    private final NamedLoadHeaders route = new NamedLoadHeaders("X-GPU-Utilization", "X-Queue-Depth");

    private static double utilization(String value) {
        return NamedLoadHeaders.utilization("X-GPU-Utilization", value).orElseThrow();
    }

    private static String reason(Parsed<?> parsed) {
        return assertInstanceOf(Parsed.Rejected.class, parsed, () -> "accepted: " + parsed).reason();
    }

    @Test
    void aUtilizationIsAFractionUpToOneAndAPercentAbove() {
        assertEquals(0.87, utilization("0.87"), 1e-12);
        assertEquals(0.87, utilization("87"), 1e-12);
        assertEquals(0.87, utilization("87%"), 1e-12);
        assertEquals(0.87, utilization(" 87 % "), 1e-12);
        assertEquals(1.0, utilization("1"), 1e-12, "a bare 1 is full");
        assertEquals(0.01, utilization("1%"), 1e-12, "with the sign it is a percent");
        assertEquals(0.005, utilization("0.5%"), 1e-12);
        assertEquals(1.0, utilization("100"), 1e-12);
        assertEquals(0.0, utilization("0"), 1e-12);
    }

    @Test
    void aUtilizationOver100PercentOrNotANumberIsRejected() {
        assertEquals("X-GPU-Utilization is over 100%: '101'", reason(NamedLoadHeaders.utilization("X-GPU-Utilization", "101")));
        assertEquals("g is over 100%: '150%'", reason(NamedLoadHeaders.utilization("g", "150%")));
        assertEquals("g is negative: -0.1", reason(NamedLoadHeaders.utilization("g", "-0.1")));
        assertEquals("g is not a number: 'high'", reason(NamedLoadHeaders.utilization("g", "high")));
        assertEquals("g is not a number: '87%'", reason(NamedLoadHeaders.utilization("g", "87%%")));
        assertEquals("g is NaN", reason(NamedLoadHeaders.utilization("g", "NaN")));
        assertEquals("g is empty", reason(NamedLoadHeaders.utilization("g", "%")));
    }

    @Test
    void theRoutesHeadersBecomeAReport() {
        LoadReport report = route.read(Map.of("X-GPU-Utilization", "0.75", "X-Queue-Depth", "3")::get, 11).orElseThrow();
        assertEquals(LoadReport.empty(Source.ROUTE_HEADERS, 11).withGpuUtilization(0.75).withQueueDepth(3), report);
    }

    @Test
    void aQueueDepthIsACountNotAPercent() {
        assertEquals("X-Queue-Depth is not a number: '3%'", reason(route.read(Map.of("X-Queue-Depth", "3%")::get, 0)));
        assertEquals("X-Queue-Depth is negative: -2.0", reason(route.read(Map.of("X-Queue-Depth", "-2")::get, 0)));
        assertEquals(250, route.read(Map.of("X-Queue-Depth", "250")::get, 0).orElseThrow().queueDepth(),
                "a count above 100 is still a count");
    }

    @Test
    void aBadValueRejectsTheReportEvenNextToAGoodOne() {
        assertEquals("X-GPU-Utilization is not a number: 'n/a'",
                reason(route.read(Map.of("X-GPU-Utilization", "n/a", "X-Queue-Depth", "3")::get, 0)));
    }

    @Test
    void onlyTheConfiguredHeadersAreLookedUp() {
        NamedLoadHeaders gpuOnly = new NamedLoadHeaders("X-GPU-Utilization", null);
        Function<String, String> headers = name -> {
            if (name == null) {
                throw new AssertionError("looked up an unconfigured header");
            }
            return Map.of("X-GPU-Utilization", "50", "X-Queue-Depth", "9").get(name);
        };
        LoadReport report = gpuOnly.read(headers, 0).orElseThrow();
        assertEquals(0.5, report.gpuUtilization(), 1e-12);
        assertTrue(Double.isNaN(report.queueDepth()));
        assertTrue(route.read(name -> null, 0).orElseThrow().isEmpty(), "no header, nothing reported");
    }

    @Test
    void aHeaderNameMustNotBeBlank() {
        assertThrows(IllegalArgumentException.class, () -> new NamedLoadHeaders(" ", null));
    }
}
