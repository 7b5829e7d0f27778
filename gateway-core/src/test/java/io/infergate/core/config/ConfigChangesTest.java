package io.infergate.core.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

class ConfigChangesTest {

    private static GatewayConfig load(String yaml) throws ConfigException {
        return ConfigLoader.load(yaml, Map.of());
    }

    private static final String BEFORE = """
            routes:
              - name: chat
                match: { pathPrefix: /v1/ }
                upstreams:
                  - { name: big, endpoints: [ "http://10.0.0.1" ] }
                  - { name: small, endpoints: [ "http://10.0.0.2" ] }
              - name: old
                match: { pathPrefix: /old/ }
                upstreams: [ { name: u, endpoints: [ "http://10.0.0.9" ] } ]
            tenants:
              - { name: acme, keySha256: "%s", limits: { requestsPerMinute: 60 } }
            """.formatted("a".repeat(64));

    @Test
    void namesWhatWasAddedRemovedAndChanged() throws ConfigException {
        GatewayConfig after = load("""
                routes:
                  - name: chat
                    match: { pathPrefix: /v1/ }
                    timeouts: { total: 10m }
                    upstreams:
                      - { name: big, endpoints: [ "http://10.0.0.1" ] }
                      - { name: small, endpoints: [ "http://10.0.0.3" ] }
                  - name: new
                    match: { pathPrefix: /new/ }
                    upstreams: [ { name: u, endpoints: [ "http://10.0.0.1" ] } ]
                tenants:
                  - { name: acme, keySha256: "%s", limits: { requestsPerMinute: 120 } }
                """.formatted("a".repeat(64)));

        ConfigChanges changes = ConfigChanges.between(load(BEFORE), after);

        assertEquals(new ConfigChanges.Diff(List.of("new"), List.of("old"), List.of("chat")), changes.routes());
        assertEquals(new ConfigChanges.Diff(List.of("new/u"), List.of("old/u"), List.of("chat/small")), changes.upstreams());
        assertEquals(new ConfigChanges.Diff(List.of("http://10.0.0.3"), List.of("http://10.0.0.2", "http://10.0.0.9"), List.of()),
                changes.endpoints());
        assertEquals(new ConfigChanges.Diff(List.of(), List.of(), List.of("acme")), changes.tenants());
        assertEquals("routes added new; routes removed old; routes changed chat; upstreams added new/u; "
                + "upstreams removed old/u; upstreams changed chat/small; endpoints added http://10.0.0.3; "
                + "endpoints removed http://10.0.0.2, http://10.0.0.9; tenants changed acme", changes.summary());
    }

    @Test
    void theSameConfigChangesNothing() throws ConfigException {
        ConfigChanges changes = ConfigChanges.between(load(BEFORE), load(BEFORE));
        assertTrue(changes.isEmpty());
        assertEquals("nothing that changes how requests are served", changes.summary());
    }
}
