package io.infergate.core.config;

import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class RouteValidationTest {

    private static final String UPSTREAMS = "upstreams: [ { name: up, endpoints: [ \"http://127.0.0.1:3000\" ] } ]";

    /** A one-route document; {@code body} is the route's keys, one per line. */
    private static String route(String body) {
        return "routes:\n  -" + body.indent(4).substring(3);
    }

    @Test
    void routeWithoutItsRequiredKeysNamesEachOne() {
        assertEquals(List.of("routes[0].name: required", "routes[0].match: required", "routes[0].upstreams: required"),
                problemsOf(route("stripPrefix: true")));
    }

    @Test
    void matchWithoutPathPrefixIsRefused() {
        assertEquals(List.of("routes[0].match.pathPrefix: required"),
                problemsOf(route("name: a\nmatch: {}\n" + UPSTREAMS)));
    }

    @Test
    void emptyRoutesIsRefused() {
        assertEquals(List.of("routes: must not be empty"), problemsOf("routes: []\n"));
    }

    @Test
    void routesThatIsNotAListIsRefused() {
        assertEquals(List.of("routes: expected a list, got a map"), problemsOf("routes: { name: a }\n"));
    }

    @Test
    void routeThatIsNotAMapIsRefusedOnce() {
        assertEquals(List.of("routes[0]: expected a map, got a string"), problemsOf("routes: [ llama ]\n"));
    }

    @Test
    void emptyUpstreamsIsRefused() {
        assertEquals(List.of("routes[0].upstreams: must not be empty"),
                problemsOf(route("name: a\nmatch: { pathPrefix: /a/ }\nupstreams: []")));
    }

    @Test
    void duplicateRouteNamesPointAtTheFirst() {
        List<String> problems = problemsOf("""
                routes:
                  - { name: llama, match: { pathPrefix: /a/ }, %1$s }
                  - { name: llama, match: { pathPrefix: /b/ }, %1$s }
                """.formatted(UPSTREAMS));

        assertEquals(List.of("routes[1].name: duplicate route name \"llama\" (also routes[0])"), problems);
    }

    @Test
    void twoRoutesOnOnePathPrefixAreRefused() {
        List<String> problems = problemsOf("""
                routes:
                  - { name: a, match: { pathPrefix: /v1/ }, %1$s }
                  - { name: b, match: { pathPrefix: /v2/ }, %1$s }
                  - { name: c, match: { pathPrefix: /v1/ }, %1$s }
                """.formatted(UPSTREAMS));

        assertEquals(List.of("routes[2].match.pathPrefix: duplicate path prefix \"/v1/\" (also routes[0])"), problems);
    }

    @Test
    void aModelClaimedTwiceAtOnePathPrefixIsRefusedAndElsewhereIsNot() {
        List<String> problems = problemsOf("""
                routes:
                  - { name: a, match: { pathPrefix: /v1/, model: llama-70b }, %1$s }
                  - { name: b, match: { pathPrefix: /v1/, model: [ llama-3b, "llama-*" ] }, %1$s }
                  - { name: c, match: { pathPrefix: /v1/, model: [ "llama-*", llama-70b ] }, %1$s }
                  - { name: d, match: { pathPrefix: /v2/, model: llama-70b }, %1$s }
                  - { name: e, match: { pathPrefix: /v1/ }, %1$s }
                  - { name: f, match: { model: [ llama-70b, llama-70b ] }, %1$s }
                """.formatted(UPSTREAMS));

        assertEquals(List.of(
                "routes[2].match.model[0]: duplicate model \"llama-*\" (also routes[1].match.model[1])",
                "routes[2].match.model[1]: duplicate model \"llama-70b\" (also routes[0].match.model)",
                "routes[5].match.model[1]: duplicate model \"llama-70b\" (also routes[5].match.model[0])"), problems);
    }

    @Test
    void badModelsAreRefusedByPath() {
        assertEquals(List.of(
                "routes[0].match.model: must not be empty"),
                problemsOf(route("name: a\nmatch: { model: [] }\n" + UPSTREAMS)));
        assertEquals(List.of(
                "routes[0].match.model[0]: \"*\" matches every model: leave match.model out for a route that takes any model",
                "routes[0].match.model[1]: \"llama 70b\" holds whitespace or a control character, which no model name has",
                "routes[0].match.model[2]: must not be empty",
                "routes[0].match.model[3]: expected a string, got a map"),
                problemsOf(route("name: a\nmatch: { pathPrefix: /v1/, model: [ \"*\", \"llama 70b\", \"\", { a: b } ] }\n"
                        + UPSTREAMS)));
        assertEquals(List.of("routes[0].match.pathPrefix: \"v1/\" must start with /"),
                problemsOf(route("name: a\nmatch: { pathPrefix: v1/, model: llama-70b }\n" + UPSTREAMS)));
    }

    @Test
    void aRouteByModelAloneServesEveryPath() throws ConfigException {
        RouteMatch match = load(route("name: a\nmatch: { model: \"llama-*\" }\n" + UPSTREAMS)).routes().get(0).match();
        assertEquals(new RouteMatch("/", List.of(new ModelPattern("llama-*"))), match);
        assertTrue(match.byModel());
    }

    @Test
    void pathPrefixMustStartWithSlash() {
        assertEquals(List.of("routes[0].match.pathPrefix: \"llama/\" must start with /"),
                problemsOf(route("name: a\nmatch: { pathPrefix: llama/ }\n" + UPSTREAMS)));
    }

    @Test
    void namesMayHoldOnlyLettersDigitsDotsUnderscoresAndDashes() throws ConfigException {
        assertEquals("Llama-3.3_70b", load(route("name: Llama-3.3_70b\nmatch: { pathPrefix: /a/ }\n" + UPSTREAMS))
                .routes().get(0).name());
        assertEquals(List.of(
                "routes[0].name: \"my route\" is not a valid name (expected: letters, digits, '.', '_' or '-')",
                "routes[0].upstreams[0].name: \"a/b\" is not a valid name (expected: letters, digits, '.', '_' or '-')"),
                problemsOf(route("""
                        name: my route
                        match: { pathPrefix: /a/ }
                        upstreams: [ { name: a/b, endpoints: [ "http://h" ] } ]""")));
    }

    @Test
    void emptyNameIsRefused() {
        assertEquals(List.of("routes[0].name: must not be empty"),
                problemsOf(route("name: \"\"\nmatch: { pathPrefix: /a/ }\n" + UPSTREAMS)));
    }

    @Test
    void duplicateUpstreamNamesWithinARouteAreRefused() {
        List<String> problems = problemsOf(route("""
                name: a
                match: { pathPrefix: /a/ }
                upstreams:
                  - { name: up, endpoints: [ "http://h1" ] }
                  - { name: up, endpoints: [ "http://h2" ] }"""));

        assertEquals(List.of("routes[0].upstreams[1].name: duplicate upstream name \"up\" (also routes[0].upstreams[0])"),
                problems);
    }

    @Test
    void sameUpstreamNameInTwoRoutesIsFine() throws ConfigException {
        GatewayConfig config = load("""
                routes:
                  - { name: a, match: { pathPrefix: /a/ }, %1$s }
                  - { name: b, match: { pathPrefix: /b/ }, %1$s }
                """.formatted(UPSTREAMS));

        assertEquals(2, config.routes().size());
    }

    @Test
    void misspelledTimeoutKeyGetsASuggestion() {
        assertEquals(List.of("routes[0].timeouts.firstbyte: unknown key (did you mean \"firstByte\"?)"),
                problemsOf(route("name: a\nmatch: { pathPrefix: /a/ }\ntimeouts: { firstbyte: 10s }\n" + UPSTREAMS)));
    }

    @Test
    void misspelledRouteKeyWithinTwoEditsGetsASuggestion() {
        assertEquals(List.of("routes[0].stripPrefx: unknown key (did you mean \"stripPrefix\"?)"),
                problemsOf(route("name: a\nmatch: { pathPrefix: /a/ }\nstripPrefx: true\n" + UPSTREAMS)));
    }

    @Test
    void timeoutsMustBePositive() {
        assertEquals(List.of(
                "routes[0].timeouts.connect: \"0s\" must be positive",
                "routes[0].timeouts.total: \"-1m\" must not be negative"),
                problemsOf(route("name: a\nmatch: { pathPrefix: /a/ }\ntimeouts: { connect: 0s, total: -1m }\n" + UPSTREAMS)));
    }

    @Test
    void defaultTimeoutsMustBePositiveToo() {
        assertEquals(List.of("defaults.timeouts.streamIdle: \"0ms\" must be positive"),
                problemsOf("defaults: { timeouts: { streamIdle: 0ms } }\n" + route("name: a\nmatch: { pathPrefix: /a/ }\n" + UPSTREAMS)));
    }

    @Test
    void timeoutWithoutUnitIsRefused() {
        assertEquals(List.of("routes[0].timeouts.firstByte: \"120\" is not a duration (" + DurationSyntax.EXPECTED + ")"),
                problemsOf(route("name: a\nmatch: { pathPrefix: /a/ }\ntimeouts: { firstByte: 120 }\n" + UPSTREAMS)));
    }

    @Test
    void stripPrefixMustBeABoolean() {
        assertEquals(List.of("routes[0].stripPrefix: \"sometimes\" is not a boolean (expected: true or false)"),
                problemsOf(route("name: a\nmatch: { pathPrefix: /a/ }\nstripPrefix: sometimes\n" + UPSTREAMS)));
    }

    @Test
    void matchThatIsAListIsRefused() {
        assertEquals(List.of("routes[0].match: expected a map, got a list"),
                problemsOf(route("name: a\nmatch: [ /a/ ]\n" + UPSTREAMS)));
    }

    @Test
    void upstreamsThatIsAMapIsRefused() {
        assertEquals(List.of("routes[0].upstreams: expected a list, got a map"),
                problemsOf(route("name: a\nmatch: { pathPrefix: /a/ }\nupstreams: { name: up }")));
    }

    @Test
    void rootPathPrefixAndStripPrefixAreAllowedTogether() throws ConfigException {
        RouteConfig route = load(route("name: a\nmatch: { pathPrefix: / }\nstripPrefix: true\n" + UPSTREAMS))
                .routes().get(0);

        assertTrue(route.stripPrefix());
        assertEquals("/", route.match().pathPrefix());
    }
}
