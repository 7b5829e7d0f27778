package io.infergate.core.load;

import io.infergate.core.load.LoadReport.Source;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TgiTimingHeadersTest {

    private static Parsed<LoadReport> read(Map<String, String> headers) {
        return TgiTimingHeaders.read(headers::get, 7);
    }

    private static String reason(Parsed<?> parsed) {
        return assertInstanceOf(Parsed.Rejected.class, parsed, () -> "accepted: " + parsed).reason();
    }

    @Test
    void millisecondsBecomeSeconds() {
        LoadReport report = read(Map.of("x-queue-time", "12", "x-inference-time", "340", "x-time-per-token", "17",
                "x-total-time", "400")).orElseThrow();
        assertEquals(LoadReport.empty(Source.TGI_HEADERS, 7).withQueueTime(0.012).withInferenceTime(0.34)
                .withTimePerToken(0.017), report);
    }

    @Test
    void aResponseWithoutTimingsReportsNothing() {
        LoadReport report = read(Map.of("x-compute-type", "gpu+optimized")).orElseThrow();
        assertTrue(report.isEmpty());
        assertEquals(Source.TGI_HEADERS, report.source());
    }

    @Test
    void theHeadersThereAreReadAndTheOthersStayUnknown() {
        LoadReport report = read(Map.of("x-queue-time", " 5 ")).orElseThrow();
        assertEquals(0.005, report.queueTime());
        assertTrue(Double.isNaN(report.inferenceTime()));
        assertTrue(Double.isNaN(report.timePerToken()));
    }

    @Test
    void aValueThatIsNotANonNegativeNumberRejectsTheReport() {
        assertEquals("x-queue-time is negative: -1.0", reason(read(Map.of("x-queue-time", "-1"))));
        assertEquals("x-inference-time is not a number: '12ms'",
                reason(read(Map.of("x-queue-time", "3", "x-inference-time", "12ms"))));
        assertEquals("x-time-per-token is empty", reason(read(Map.of("x-time-per-token", ""))));
        assertEquals("x-time-per-token is NaN", reason(read(Map.of("x-time-per-token", "NaN"))));
        assertEquals("x-queue-time is infinite", reason(read(Map.of("x-queue-time", "1e999"))));
    }
}
