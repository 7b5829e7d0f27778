package io.infergate.core.upstream;

import io.infergate.core.upstream.ColdStartSignal.Reading;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class ColdStartSignalTest {

    private static Reading read(String body) {
        return ColdStartSignal.read(body.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void theServerlessFormSaysLoadingWithItsEstimate() {
        assertEquals(new Reading(true, 20_500_000_000L),
                read("{\"error\":\"Model gpt2 is currently loading\",\"estimated_time\":20.5}"));
    }

    @Test
    void loadingWithoutAnEstimateOrInTheOpenAiShape() {
        assertEquals(new Reading(true, -1), read("{\"error\":\"Model X Is Currently Loading\"}"));
        assertEquals(new Reading(true, -1), read("{\"error\":{\"message\":\"model is currently loading\"}}"));
        assertEquals(new Reading(true, -1), read("{\"error\":\"is currently loading\",\"estimated_time\":-3}"));
        assertEquals(new Reading(true, -1), read("{\"error\":\"is currently loading\",\"estimated_time\":\"soon\"}"));
    }

    @Test
    void otherUnavailableBodiesAreNotLoading() {
        assertEquals(new Reading(false, -1), read("{\"error\":\"unhealthy\",\"error_type\":\"healthcheck\"}"));
        assertEquals(new Reading(false, -1), read("Service Unavailable"));
        assertEquals(new Reading(false, -1), read(""));
        assertEquals(new Reading(false, -1), read("[1,2]"));
    }
}
