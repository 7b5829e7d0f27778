package io.infergate.core.ratelimit;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import java.nio.charset.StandardCharsets;

import static org.junit.jupiter.api.Assertions.assertEquals;

class TokenReservationTest {

    private static final int ROUTE_DEFAULT = 256;

    private static int of(String body) {
        return TokenReservation.of(body.getBytes(StandardCharsets.UTF_8), ROUTE_DEFAULT);
    }

    @Test
    void tgiStatesItsLimitInParameters() {
        assertEquals(20, of("""
                {"inputs": "What is deep learning?", "parameters": {"temperature": 0.5, "max_new_tokens": 20}}"""));
    }

    @Test
    void openAiStatesItsLimitAtTheTopLevelInEitherSpelling() {
        assertEquals(100, of("""
                {"model": "tgi", "messages": [{"role": "user", "content": "hi"}], "max_tokens": 100, "stream": true}"""));
        assertEquals(300, of("""
                {"messages": [{"role": "user", "content": [{"type": "text", "text": "max_tokens"}]}],
                 "max_completion_tokens": 300}"""));
    }

    @Test
    void theLargestStatedLimitIsReserved() {
        assertEquals(500, of("{\"max_tokens\": 500, \"max_completion_tokens\": 200}"));
        assertEquals(64, of("{\"max_tokens\": 10, \"parameters\": {\"max_new_tokens\": 64}}"));
    }

    @Test
    void fieldsOfTheSameNameElsewhereDoNotCount() {
        assertEquals(ROUTE_DEFAULT, of("""
                {"messages": [{"max_tokens": 9}], "metadata": {"max_tokens": 9, "parameters": {"max_new_tokens": 9}},
                 "max_new_tokens": 9, "options": {"parameters": {"max_new_tokens": 9}}}"""));
    }

    @Test
    void aBodyThatStatesNoLimitReservesTheRouteDefault() {
        assertEquals(ROUTE_DEFAULT, of("{\"inputs\": \"hi\", \"parameters\": {\"temperature\": 0.1}}"));
        assertEquals(ROUTE_DEFAULT, of("{}"));
        assertEquals(ROUTE_DEFAULT, TokenReservation.of(null, ROUTE_DEFAULT));
        assertEquals(ROUTE_DEFAULT, TokenReservation.of(new byte[0], ROUTE_DEFAULT));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "{\"max_tokens\": null}", "{\"max_tokens\": \"100\"}", "{\"max_tokens\": 1.5}", "{\"max_tokens\": -5}",
            "{\"max_tokens\": -99999999999999999999999}", "{\"max_tokens\": [100]}", "{\"parameters\": null}",
            "{\"parameters\": {\"max_new_tokens\": true}}"})
    void aValueThatIsNotAWholeNumberCountsAsNone(String body) {
        assertEquals(ROUTE_DEFAULT, of(body));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "not json", "[1, 2]", "\"text\"", "{\"max_tokens\": 100", "{\"max_tokens\": 100,,}", "{\"a\": [[[[",
            "{\"max_tokens\": 1e400}", "\u0000\u0001binary"})
    void aBodyThatIsNotAJsonObjectReservesTheRouteDefaultWithoutThrowing(String body) {
        assertEquals(ROUTE_DEFAULT, of(body));
    }

    @Test
    void anEnormousLimitIsTheLargestInt() {
        assertEquals(Integer.MAX_VALUE, of("{\"max_tokens\": 99999999999}"));
        assertEquals(Integer.MAX_VALUE, of("{\"max_tokens\": 99999999999999999999999999}"));
        assertEquals(0, of("{\"max_tokens\": 0}"));
    }

    @Test
    void deepNestingIsRefusedRatherThanFollowed() {
        String deep = "{\"x\": " + "[".repeat(100_000) + "]".repeat(100_000) + ", \"max_tokens\": 7}";

        assertEquals(ROUTE_DEFAULT, of(deep));
        assertEquals(7, of("{\"x\": " + "[".repeat(20) + "]".repeat(20) + ", \"max_tokens\": 7}"));
    }
}
