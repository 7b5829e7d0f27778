package io.infergate.core.route;

import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.ModelPattern;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Routing by the model a body names: which route is the most specific, and when the path alone settles it. */
class ModelChoiceTest {

    private static final String TABLE = """
            routes:
              - name: tgi
                match: { pathPrefix: / }
                upstreams: [ { name: a, endpoints: [ "http://127.0.0.1:1" ] } ]
              - name: big
                match: { pathPrefix: /v1/, model: llama-70b }
                upstreams: [ { name: b, endpoints: [ "http://127.0.0.1:2" ] } ]
              - name: small
                match: { pathPrefix: /v1/, model: [ llama-3b, llama-3b-instruct ] }
                upstreams: [ { name: c, endpoints: [ "http://127.0.0.1:3" ] } ]
              - name: llamas
                match: { pathPrefix: /v1/, model: "llama-*" }
                upstreams: [ { name: d, endpoints: [ "http://127.0.0.1:4" ] } ]
              - name: llama3
                match: { pathPrefix: /v1/, model: "llama-3*" }
                upstreams: [ { name: e, endpoints: [ "http://127.0.0.1:5" ] } ]
              - name: embed
                match: { pathPrefix: /v1/embeddings }
                upstreams: [ { name: f, endpoints: [ "http://127.0.0.1:6" ] } ]
              - name: v1-rest
                match: { pathPrefix: /v1/chat/ }
                upstreams: [ { name: h, endpoints: [ "http://127.0.0.1:8" ] } ]
            """;

    private static RouteTable table(String yaml) throws ConfigException {
        return RouteTable.compile(ConfigLoader.load(yaml, Map.of()));
    }

    private static String route(RouteChoice choice, String model) {
        Route route = ((ModelChoice) choice).forModel(model);
        return route == null ? null : route.name();
    }

    @Test
    void aPathWithoutRoutesByModelIsSettledByItsPathAlone() throws ConfigException {
        RouteTable table = table(TABLE);
        assertSame(table.byName("tgi"), table.choose("/generate_stream"), "only / serves it, and / takes any model");
        assertSame(table.byName("embed"), table.choose("/v1/embeddings"), "a longer prefix by path alone wins outright");
        assertSame(table.byName("v1-rest"), table.choose("/v1/chat/completions"));
        assertNull(table(TABLE.replace("pathPrefix: / }", "pathPrefix: /tgi/ }")).choose("/other"));
    }

    @Test
    void theMostSpecificRouteTakesTheModel() throws ConfigException {
        RouteChoice choice = table(TABLE).choose("/v1/completions");
        assertInstanceOf(ModelChoice.class, choice);
        assertEquals("big", route(choice, "llama-70b"), "an exact name beats every glob");
        assertEquals("small", route(choice, "llama-3b-instruct"));
        assertEquals("llama3", route(choice, "llama-3.1-8b"), "the glob with more fixed characters");
        assertEquals("llamas", route(choice, "llama-2-13b"));
        assertEquals("tgi", route(choice, "gpt-4o"), "a route at a shorter prefix that takes any model");
    }

    @Test
    void aRouteByModelAloneServesItsModelAtEveryPathBeforeOneThatTakesAny() throws ConfigException {
        RouteTable table = table(TABLE + """
                  - name: anywhere
                    match: { model: mistral-7b }
                    upstreams: [ { name: g, endpoints: [ "http://127.0.0.1:7" ] } ]
                """);
        assertEquals("/", table.byName("anywhere").pathPrefix());
        assertEquals("anywhere", route(table.choose("/v1/completions"), "mistral-7b"));
        assertEquals("anywhere", route(table.choose("/generate"), "mistral-7b"));
        assertEquals("tgi", route(table.choose("/generate"), "gpt-4o"));
        assertSame(table.byName("v1-rest"), table.choose("/v1/chat/completions"),
                "a longer prefix that takes any model settles the path before its body is read");
    }

    @Test
    void withoutAnyRouteForTheModelTheChoiceHasNone() throws ConfigException {
        RouteTable table = table("""
                routes:
                  - name: big
                    match: { pathPrefix: /v1/, model: llama-70b }
                    upstreams: [ { name: b, endpoints: [ "http://127.0.0.1:2" ] } ]
                  - name: small
                    match: { model: [ llama-3b ] }
                    upstreams: [ { name: c, endpoints: [ "http://127.0.0.1:3" ] } ]
                """);
        ModelChoice choice = (ModelChoice) table.choose("/v1/chat/completions");
        assertEquals("big", choice.forModel("llama-70b").name());
        assertEquals("small", choice.forModel("llama-3b").name(), "a shorter prefix serves what the longer does not");
        assertNull(choice.forModel("gpt-4o"));
        assertNull(choice.withoutModel(), "no route here takes a body without a model");
        assertEquals(List.of("llama-70b", "llama-3b"), choice.served(route -> true));
        assertEquals(List.of("llama-3b"), choice.served(route -> route.name().equals("small")));
        assertEquals("small", ((ModelChoice) table.choose("/generate")).forModel("llama-3b").name());
        assertNull(((ModelChoice) table.choose("/generate")).forModel("llama-70b"), "big is under /v1/ only");
    }

    @Test
    void aRouteWithoutModelAtThePathTakesBodiesThatNameNone() throws ConfigException {
        ModelChoice choice = (ModelChoice) table(TABLE).choose("/v1/completions");
        assertEquals("tgi", choice.withoutModel().name());
    }

    @Test
    void modelPatternsMatchExactlyOrByGlob() {
        assertTrue(new ModelPattern("llama-70b").matches("llama-70b"));
        assertFalse(new ModelPattern("llama-70b").matches("Llama-70b"), "names compare case-sensitively");
        assertFalse(new ModelPattern("llama-70b").matches("llama-70b-chat"));
        assertTrue(new ModelPattern("llama-*").matches("llama-"));
        assertTrue(new ModelPattern("llama-*").matches("llama-3.1-8b"));
        assertFalse(new ModelPattern("llama-*").matches("codellama-7b"));
        assertTrue(new ModelPattern("*-instruct").matches("qwen-7b-instruct"));
        assertTrue(new ModelPattern("meta-llama/*-Instruct*").matches("meta-llama/Llama-3.1-8B-Instruct-v2"));
        assertFalse(new ModelPattern("a*b*c").matches("acb"));
        assertFalse(new ModelPattern("ab*ba").matches("aba"), "the fixed parts may not overlap");
        assertEquals(ModelPattern.EXACT, new ModelPattern("llama-70b").specificity());
        assertEquals(6, new ModelPattern("llama-*").specificity());
        assertThrows(IllegalArgumentException.class, () -> new ModelPattern("*"));
        assertThrows(IllegalArgumentException.class, () -> new ModelPattern("llama 70b"));
    }
}
