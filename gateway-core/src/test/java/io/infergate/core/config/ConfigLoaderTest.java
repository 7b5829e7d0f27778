package io.infergate.core.config;

import static io.infergate.core.config.ConfigFixtures.ONE_ROUTE;
import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigLoaderTest {

    private static final String FULL = """
            server:
              port: 8081
              adminPort: 9091
              adminBind: 0.0.0.0
              maxBodyBytes: 20MiB
              maxHeaderBytes: 32KiB
              drainTimeout: 5s
              shutdownDelay: 3s
              idleTimeout: 2m
              headerTimeout: 500ms
              bodyTimeout: 20s
              writeTimeout: 15s
              accessLog: false
              logFormat: json
              watchConfig: true
              transport: epoll
            defaults:
              timeouts: { connect: 2s, firstByte: 60s, streamIdle: 30s, total: 1h }
            routes:
              - name: llama
                match: { pathPrefix: /llama/ }
                stripPrefix: true
                timeouts: { firstByte: 120s }
                upstreams:
                  - name: primary
                    endpoints: [ "https://x.endpoints.huggingface.cloud/models/m" ]
                    auth: { bearerEnv: HF_TOKEN }
                    tls: { insecureSkipVerify: true }
                  - name: fallback
                    endpoints: [ "http://10.0.0.1:3000", "http://10.0.0.2:3000" ]
              - name: rest
                match: { pathPrefix: / }
                upstreams:
                  - name: tgi
                    endpoints: [ "http://127.0.0.1:3000" ]
            """;

    @Test
    void fullFileBindsEveryKey() throws ConfigException {
        GatewayConfig config = ConfigLoader.load(FULL, Map.of("HF_TOKEN", "hf_secret"));

        assertEquals(new ServerConfig(8081, 9091, "0.0.0.0", 20L << 20, 32 << 10,
                Duration.ofSeconds(5), Duration.ofSeconds(3), Duration.ofMinutes(2), Duration.ofMillis(500), Duration.ofSeconds(20),
                Duration.ofSeconds(15), new AccessLogConfig(false, null, AccessLogConfig.DEFAULTS.queue()),
                ServerConfig.LogFormat.JSON, true, null, Http2Config.DEFAULTS, ServerConfig.Transport.EPOLL),
                config.server());
        Timeouts defaults = new Timeouts(
                Duration.ofSeconds(2), Duration.ofSeconds(60), Duration.ofSeconds(30), Duration.ofHours(1));
        assertEquals(defaults, config.defaults().timeouts());

        RouteConfig llama = config.routes().get(0);
        assertEquals("llama", llama.name());
        assertEquals(new RouteMatch("/llama/"), llama.match());
        assertTrue(llama.stripPrefix());
        assertEquals(List.of("primary", "fallback"), llama.upstreams().stream().map(UpstreamConfig::name).toList());
        UpstreamConfig primary = llama.primary();
        assertEquals(List.of(EndpointUrl.parse("https://x.endpoints.huggingface.cloud/models/m")), primary.endpoints());
        assertEquals(new UpstreamAuth("HF_TOKEN", "hf_secret"), primary.auth());
        assertEquals(new TlsConfig(null, true), primary.tls());
        UpstreamConfig fallback = llama.upstreams().get(1);
        assertEquals(2, fallback.endpoints().size());
        assertEquals(UpstreamAuth.NONE, fallback.auth());
        assertEquals(TlsConfig.DEFAULTS, fallback.tls());

        RouteConfig rest = config.routes().get(1);
        assertFalse(rest.stripPrefix());
        assertEquals(defaults, rest.timeouts());
    }

    @Test
    void omittedSectionsTakeTheBuiltInDefaults() throws ConfigException {
        GatewayConfig config = load(ONE_ROUTE);

        assertEquals(ServerConfig.DEFAULTS, config.server());
        assertEquals(RouteDefaults.BUILTIN, config.defaults());
        assertEquals(Timeouts.DEFAULTS, config.routes().get(0).timeouts());
        assertFalse(config.routes().get(0).stripPrefix());
    }

    @Test
    void explicitNullMeansTheDefault() throws ConfigException {
        GatewayConfig config = load("server:\n  port: ~\n" + ONE_ROUTE);

        assertEquals(ServerConfig.DEFAULTS.port(), config.server().port());
    }

    @Test
    void routeTimeoutsOverrideDefaultsKeyByKey() throws ConfigException {
        GatewayConfig config = load("""
                defaults:
                  timeouts: { connect: 3s, streamIdle: 40s }
                routes:
                  - name: a
                    match: { pathPrefix: /a/ }
                    timeouts: { firstByte: 120s }
                    upstreams: [ { name: up, endpoints: [ "http://127.0.0.1:3000" ] } ]
                """);

        assertEquals(new Timeouts(Duration.ofSeconds(3), Duration.ofSeconds(300), Duration.ofSeconds(40),
                Duration.ofSeconds(600)), config.defaults().timeouts());
        assertEquals(new Timeouts(Duration.ofSeconds(3), Duration.ofSeconds(120), Duration.ofSeconds(40),
                Duration.ofSeconds(600)), config.routes().get(0).timeouts());
    }

    @Test
    void exampleFileInConfigDirectoryIsValid() throws ConfigException {
        GatewayConfig config = ConfigLoader.load(Path.of("..", "config", "gateway.yaml"), Map.of("HF_TOKEN", "hf_example"));

        assertEquals(List.of("llama", "local-tgi"), config.routes().stream().map(RouteConfig::name).toList());
        RouteConfig llama = config.routes().get(0);
        assertTrue(llama.stripPrefix());
        assertEquals(Duration.ofSeconds(120), llama.timeouts().firstByte());
        assertEquals(config.defaults().timeouts().connect(), llama.timeouts().connect());
        assertTrue(llama.primary().auth().present());
        assertEquals("http://127.0.0.1:3000", config.routes().get(1).primary().endpoints().get(0).toString());
        assertEquals(4, llama.admission().maxInFlightPerEndpoint());
        assertEquals(config.defaults().admission().queue(), llama.admission().queue());
        assertEquals(Duration.ofSeconds(1), config.routes().get(1).load().poll().every());
        assertEquals(List.of("acme", "hobby"), config.tenants().stream().map(TenantConfig::name).toList());
        assertFalse(config.auth().required());
    }

    @Test
    void exampleFileNeedsTheTokenItNames() {
        ConfigException e = assertThrows(ConfigException.class,
                () -> ConfigLoader.load(Path.of("..", "config", "gateway.yaml"), Map.of()));

        assertEquals(List.of("routes[0].upstreams[0].auth.bearerEnv: environment variable HF_TOKEN is not set"),
                e.problems());
    }

    @Test
    void emptyDocumentIsRefusedForItsMissingRoutes() {
        assertEquals(List.of("routes: required"), problemsOf(""));
        assertEquals(List.of("routes: required"), problemsOf("# only a comment\n"));
    }

    @Test
    void documentThatIsNotAMapIsRefused() {
        assertEquals(List.of("expected a map at the top level, got a list"), problemsOf("- a\n- b\n"));
    }

    @Test
    void yamlSyntaxErrorIsOneProblemWithLineAndColumn() {
        assertEquals(List.of("YAML syntax error at line 2, column 10: mapping values are not allowed here"),
                problemsOf("server:\n  port: a: b\n"));
    }

    @Test
    void duplicateYamlKeyIsRefusedAtItsPath() {
        List<String> problems = problemsOf(ONE_ROUTE + "    name: b\n");

        assertEquals(List.of("routes[0].name: duplicate key at line 7"), problems);
    }

    @Test
    void duplicateKeysAreReportedByPathAlongsideEveryOtherProblem() {
        List<String> problems = problemsOf("""
                server:
                  port: abc
                routes:
                  - name: a
                    match: { pathPrefix: /a/ }
                    upstreams:
                      - name: one
                        endpoints: [ "http://127.0.0.1:3000" ]
                      - name: two
                        name: three
                        endpoints: [ "not a url" ]
                routes: []
                """);

        assertEquals(List.of(
                "routes[0].upstreams[1].name: duplicate key at line 10",
                "routes: duplicate key at line 12",
                "server.port: \"abc\" is not an integer",
                "routes[0].upstreams[1].endpoints[0]: \"not a url\" is not an absolute http(s) URL"), problems);
    }

    @Test
    void everyProblemIsReportedAtOnce() {
        List<String> problems = problemsOf("""
                server:
                  port: abc
                  maxBodyBytes: 10MB
                defaults:
                  timeouts: { firstbyte: 10s }
                routes:
                  - name: llama
                    match: { pathPrefix: llama }
                    upstreams:
                      - name: primary
                        endpoints: [ "not a url", "${HOST}" ]
                  - name: llama
                    upstreams: []
                """);

        assertEquals(List.of(
                "server.port: \"abc\" is not an integer",
                "server.maxBodyBytes: \"10MB\" is not a byte size (" + ByteSizeSyntax.EXPECTED + ")",
                "defaults.timeouts.firstbyte: unknown key (did you mean \"firstByte\"?)",
                "routes[0].match.pathPrefix: \"llama\" must start with /",
                "routes[0].upstreams[0].endpoints[0]: \"not a url\" is not an absolute http(s) URL",
                "routes[0].upstreams[0].endpoints[1]: environment variable HOST is not set",
                "routes[1].name: duplicate route name \"llama\" (also routes[0])",
                "routes[1].match: required",
                "routes[1].upstreams: must not be empty"), problems);
    }

    @Test
    void exceptionMessageListsOneProblemPerLine() {
        ConfigException e = assertThrows(ConfigException.class, () -> load("server: { port: -1, adminPort: x }\n"));

        assertEquals("""
                server.port: "-1" is out of range (expected: 0-65535)
                server.adminPort: "x" is not an integer
                routes: required""", e.getMessage());
    }

    @Test
    void missingFileIsOneProblemNamingTheFile(@TempDir Path dir) {
        Path missing = dir.resolve("nope.yaml");

        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.load(missing, Map.of()));

        assertEquals(List.of(missing + ": cannot read: no such file"), e.problems());
    }

    @Test
    void fileIsLoadedLikeText(@TempDir Path dir) throws Exception {
        Path file = Files.writeString(dir.resolve("gateway.yaml"), ONE_ROUTE);

        assertEquals(load(ONE_ROUTE), ConfigLoader.load(file, Map.of()));
    }
}
