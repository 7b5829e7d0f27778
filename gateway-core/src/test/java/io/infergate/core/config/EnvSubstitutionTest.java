package io.infergate.core.config;

import static io.infergate.core.config.ConfigFixtures.ONE_ROUTE;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static io.infergate.core.config.ConfigFixtures.withUpstream;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class EnvSubstitutionTest {

    private final List<String> reported = new ArrayList<>();

    private String apply(String text, Map<String, String> env) {
        return new EnvSubstitution(env).apply(text, reported::add);
    }

    @Test
    void variableIsReplacedByItsValue() {
        assertEquals("http://gpu-1:3000/v1", apply("http://${HOST}:${PORT}/v1", Map.of("HOST", "gpu-1", "PORT", "3000")));
    }

    @Test
    void defaultIsUsedWhenTheVariableIsUnsetOrEmpty() {
        assertEquals("http://127.0.0.1:3000", apply("${URL:-http://127.0.0.1:3000}", Map.of()));
        assertEquals("d", apply("${X:-d}", Map.of("X", "")));
        assertEquals("set", apply("${X:-d}", Map.of("X", "set")));
        assertEquals("", apply("${X:-}", Map.of()));
    }

    @Test
    void variableSetToEmptyWithoutDefaultIsEmpty() {
        assertEquals("ab", apply("a${X}b", Map.of("X", "")));
    }

    @Test
    void textWithoutReferencesIsUnchanged() {
        assertEquals("cost: $5 {x}", apply("cost: $5 {x}", Map.of()));
        assertEquals(List.of(), reported);
    }

    @Test
    void everyMissingVariableInOneStringIsReported() {
        assertNull(apply("${A}-${B}-${C:-c}", Map.of()));
        assertEquals(List.of("environment variable A is not set", "environment variable B is not set"), reported);
    }

    @Test
    void unterminatedReferenceIsReported() {
        assertNull(apply("http://${HOST", Map.of("HOST", "h")));
        assertEquals(List.of("unterminated \"${\" in \"http://${HOST\""), reported);
    }

    @Test
    void referenceThatIsNotAVariableNameIsReported() {
        assertNull(apply("${my var}", Map.of()));
        assertEquals(List.of("\"${my var}\" is not a variable reference"
                + " (expected: ${NAME} or ${NAME:-default}, NAME of letters, digits and _)"), reported);
    }

    @Test
    void nestedReferenceInADefaultIsReported() {
        assertNull(apply("${A:-${B}}", Map.of("B", "b")));
        assertEquals(List.of("\"${A:-${B}\": a default must not contain another ${...}"), reported);
    }

    @Test
    void substitutionHappensBeforeConversion() throws ConfigException {
        String yaml = "server:\n  port: ${PORT:-8081}\n  maxBodyBytes: ${BODY}\n" + ONE_ROUTE;

        assertEquals(8081, ConfigLoader.load(yaml, Map.of("BODY", "1MiB")).server().port());
        assertEquals(7000, ConfigLoader.load(yaml, Map.of("PORT", "7000", "BODY", "1MiB")).server().port());
        assertEquals(List.of("server.port: \"x\" is not an integer"),
                problemsOf(yaml, Map.of("PORT", "x", "BODY", "1MiB")));
    }

    @Test
    void missingVariableIsReportedAtTheKeysPath() {
        assertEquals(List.of("routes[0].upstreams[0].endpoints[0]: environment variable FOO is not set"),
                problemsOf(withUpstream("endpoints: [ \"${FOO}\" ]")));
    }

    @Test
    void substitutedEndpointIsParsed() throws ConfigException {
        GatewayConfig config = ConfigLoader.load(withUpstream("endpoints: [ \"https://${HOST}/models/${MODEL:-m}\" ]"),
                Map.of("HOST", "h.example"));

        assertEquals("https://h.example/models/m", config.routes().get(0).primary().endpoints().get(0).toString());
    }
}
