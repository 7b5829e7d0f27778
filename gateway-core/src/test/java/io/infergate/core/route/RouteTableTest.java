package io.infergate.core.route;

import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.GatewayConfig;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;

class RouteTableTest {

    private static RouteTable compile(String yaml) throws ConfigException {
        GatewayConfig config = ConfigLoader.load(yaml, Map.of());
        return RouteTable.compile(config);
    }

    private static final String THREE_ROUTES = """
            routes:
              - name: root
                match: { pathPrefix: / }
                upstreams: [ { name: a, endpoints: [ "http://10.0.0.1:8080" ] } ]
              - name: llama
                match: { pathPrefix: /llama/ }
                stripPrefix: true
                upstreams: [ { name: b, endpoints: [ "https://llama.example/models/llama" ] } ]
              - name: llama-chat
                match: { pathPrefix: /llama/v1/ }
                upstreams: [ { name: c, endpoints: [ "http://10.0.0.1:8080" ] } ]
            """;

    @Test
    void longestPrefixWinsWhateverTheOrderInTheFile() throws ConfigException {
        RouteTable table = compile(THREE_ROUTES);
        assertEquals("llama-chat", table.match("/llama/v1/chat/completions").name());
        assertEquals("llama", table.match("/llama/generate").name());
        assertEquals("root", table.match("/llama").name());
        assertEquals("root", table.match("/").name());
    }

    @Test
    void nothingMatchesWithoutACatchAllRoute() throws ConfigException {
        RouteTable table = compile("""
                routes:
                  - name: llama
                    match: { pathPrefix: /llama/ }
                    upstreams: [ { name: b, endpoints: [ "http://10.0.0.2" ] } ]
                """);
        assertNull(table.match("/other"));
    }

    @Test
    void stripPrefixAndBasePathMakeTheUpstreamTarget() throws ConfigException {
        Route llama = compile(THREE_ROUTES).match("/llama/generate");
        assertEquals("/models/llama/generate?x=1", llama.upstreamTarget("/llama/generate?x=1", "/models/llama"));
        assertEquals("/generate", llama.upstreamTarget("/llama/generate", ""));
        assertEquals("/", llama.upstreamTarget("/llama/", ""));
        Route root = compile(THREE_ROUTES).match("/x");
        assertEquals("/x?y", root.upstreamTarget("/x?y", ""));
    }

    @Test
    void routesNamingTheSameEndpointShareOneEndpointObject() throws ConfigException {
        RouteTable table = compile(THREE_ROUTES);
        assertSame(table.match("/").primary().endpoints().get(0),
                table.match("/llama/v1/x").primary().endpoints().get(0));
        assertEquals(2, table.endpoints().size());
    }
}
