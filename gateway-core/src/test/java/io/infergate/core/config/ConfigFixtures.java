package io.infergate.core.config;

import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Map;

/** Small valid documents to start from, and shortcuts that load one and return its problems. */
final class ConfigFixtures {

    /** One valid route, to append to a document that is about something else. */
    static final String ONE_ROUTE = """
            routes:
              - name: a
                match: { pathPrefix: /a/ }
                upstreams:
                  - name: up
                    endpoints: [ "http://127.0.0.1:3000" ]
            """;

    /** A self-signed certificate, to stand in for a private CA bundle. */
    static final String TEST_CA_PEM = """
            -----BEGIN CERTIFICATE-----
            MIIBjjCCATWgAwIBAgIUDffJ+OwnMEUgUu9OZoRk/gQ5dBAwCgYIKoZIzj0EAwIw
            HDEaMBgGA1UEAwwRSW5mZXJnYXRlIFRlc3QgQ0EwIBcNMjYxMTI1MTIzMDM5WhgP
            MjEyNjExMDExMjMwMzlaMBwxGjAYBgNVBAMMEUluZmVyZ2F0ZSBUZXN0IENBMFkw
            EwYHKoZIzj0CAQYIKoZIzj0DAQcDQgAEDN7QhnrC8ZzhL2M41r94M/FtKLhtlGBq
            AHPAhx5M2Cxj/TstIwHcYXqVRJYNGU0JpmmcKuojNIWf+E+DAl7FXqNTMFEwHQYD
            VR0OBBYEFExGdE561ovsIBvP7O1FC450lHHGMB8GA1UdIwQYMBaAFExGdE561ovs
            IBvP7O1FC450lHHGMA8GA1UdEwEB/wQFMAMBAf8wCgYIKoZIzj0EAwIDRwAwRAIg
            ZzTnqOVuZTFGqDvwjgCBoVRHMCydAwAc3s+Eeg/TbLYCICKW897q7gU7RWa+GMg2
            b3xuz85n4eQKMoekdYfzRWRW
            -----END CERTIFICATE-----
            """;

    private ConfigFixtures() {}

    static GatewayConfig load(String yaml) throws ConfigException {
        return ConfigLoader.load(yaml, Map.of());
    }

    static List<String> problemsOf(String yaml) {
        return problemsOf(yaml, Map.of());
    }

    static List<String> problemsOf(String yaml, Map<String, String> env) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.load(yaml, env)).problems();
    }

    /** A document with {@link #ONE_ROUTE} and the given server section body, indented by the caller's text block. */
    static String withServer(String serverBody) {
        return "server:\n" + serverBody.indent(2) + ONE_ROUTE;
    }

    /** A document with one route whose single upstream has the given body after its name. */
    static String withUpstream(String upstreamBody) {
        return """
                routes:
                  - name: a
                    match: { pathPrefix: /a/ }
                    upstreams:
                      - name: up
                """ + upstreamBody.indent(8);
    }
}
