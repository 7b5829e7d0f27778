package io.infergate.core.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;

class RestartOnlyTest {

    private static final String ROUTES = """
            routes:
              - name: a
                match: { pathPrefix: / }
                upstreams: [ { name: u, endpoints: [ "http://10.0.0.1" ] } ]
            """;

    private static GatewayConfig load(String head) throws ConfigException {
        return ConfigLoader.load(head + ROUTES, Map.of("SECRET_A", "whsec_AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=",
                "SECRET_B", "whsec_AQIDBAUGBwgJCgsMDQ4PEBESExQVFhcYGRobHB0eHyA="));
    }

    @Test
    void listenersAndJobsNeedARestartAndEachChangedKeyIsNamed() throws ConfigException {
        List<String> problems = RestartOnly.changes(load("server: { port: 8080 }\n"),
                load("server: { port: 8081, watchConfig: true }\njobs: { maxWait: 10s }\n"));
        assertEquals(List.of(
                "server.port: cannot change while the gateway runs (8080 -> 8081); restart it to apply",
                "server.watchConfig: cannot change while the gateway runs (false -> true); restart it to apply",
                "jobs.maxWait: cannot change while the gateway runs (PT50S -> PT10S); restart it to apply"), problems);
    }

    @Test
    void routesAndTenantsChangeFreely() throws ConfigException {
        assertEquals(List.of(), RestartOnly.changes(load(""), load("defaults: { timeouts: { total: 5m } }\n")));
    }

    @Test
    void aChangedSecretIsNamedButNotShown() throws ConfigException {
        List<String> problems = RestartOnly.changes(load("jobs: { webhookSecretEnv: SECRET_A }\n"),
                load("jobs: { webhookSecretEnv: SECRET_B }\n"));
        assertEquals(List.of("jobs.webhookSecret: cannot change while the gateway runs; restart it to apply"), problems);
    }

    @Test
    void tracingNeedsARestartItsHeadersNamedButNotShown() throws ConfigException {
        List<String> problems = RestartOnly.changes(load(""),
                load("tracing: { otlpEndpoint: \"http://collector:4318\", sampleRatio: 0.5, headersEnv: SECRET_A }\n"));
        assertEquals(List.of(
                "tracing.enabled: cannot change while the gateway runs (false -> true); restart it to apply",
                "tracing.otlpEndpoint: cannot change while the gateway runs; restart it to apply",
                "tracing.sampleRatio: cannot change while the gateway runs (1.0 -> 0.5); restart it to apply",
                "tracing.headers: cannot change while the gateway runs; restart it to apply"), problems);
    }
}
