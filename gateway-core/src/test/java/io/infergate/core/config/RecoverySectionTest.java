package io.infergate.core.config;

import io.infergate.core.recovery.ContinuationStyle;
import io.infergate.core.recovery.RecoveryScope;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static io.infergate.core.config.ConfigFixtures.withUpstream;
import static org.junit.jupiter.api.Assertions.assertEquals;

class RecoverySectionTest {

    private static String route(String keys) {
        return """
                routes:
                  - name: a
                    match: { pathPrefix: / }
                %s
                    upstreams: [ { name: p, endpoints: [ "http://h" ] } ]
                """.formatted(keys.indent(4).stripTrailing());
    }

    @Test
    void aStreamIsContinuedOnTheSameUpstreamWithPrefillByDefault() throws ConfigException {
        RouteConfig route = load(route("")).routes().get(0);
        assertEquals(RecoveryScope.ENDPOINT, route.recovery());
        assertEquals(ContinuationStyle.PREFILL, route.primary().continuation());
    }

    @Test
    void eachScopeAndStyleIsReadIncludingABareOff() throws ConfigException {
        assertEquals(RecoveryScope.CONTINUE, load(route("recovery: { midStream: continue }")).routes().get(0).recovery());
        assertEquals(RecoveryScope.OFF, load(route("recovery: { midStream: off }")).routes().get(0).recovery());
        assertEquals(RecoveryScope.OFF, load(route("recovery: { midStream: \"off\" }")).routes().get(0).recovery());
        assertEquals(ContinuationStyle.REGENERATE, load(withUpstream("endpoints: [ \"http://h\" ]\ncontinuation: regenerate"))
                .routes().get(0).primary().continuation());
        assertEquals(ContinuationStyle.NONE, load(withUpstream("endpoints: [ \"http://h\" ]\ncontinuation: none"))
                .routes().get(0).primary().continuation());
    }

    @Test
    void unknownValuesAndKeysAreReportedByPath() {
        assertEquals(List.of("routes[0].recovery.midStream: \"always\" is not one of: off, endpoint, continue"),
                problemsOf(route("recovery: { midStream: always }")));
        assertEquals(List.of("routes[0].upstreams[0].continuation: \"replay\" is not one of: prefill, regenerate, none"),
                problemsOf(withUpstream("endpoints: [ \"http://h\" ]\ncontinuation: replay")));
        assertEquals(1, problemsOf(route("recovery: { midstream: off }")).size());
        assertEquals(List.of("routes[0].recovery.midStream: \"true\" is not one of: off, endpoint, continue"),
                problemsOf(route("recovery: { midStream: on }")));
    }
}
