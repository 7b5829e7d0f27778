package io.infergate.server.testing;

import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.GatewayConfig;
import io.infergate.server.GatewayServer;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;

/** A real gateway on ephemeral ports, configured from YAML as a user would configure it. */
public final class TestGateway implements AutoCloseable {

    private static final HttpClient HTTP = HttpClient.newBuilder()
            .version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(5))
            .build();

    private final GatewayServer server;

    private TestGateway(GatewayServer server) {
        this.server = server;
    }

    /** Starts a gateway from {@code yaml}; a {@code server:} section is added with ephemeral ports unless present. */
    public static TestGateway start(String yaml) {
        return start(yaml, Map.of());
    }

    public static TestGateway start(String yaml, Map<String, String> env) {
        String full = yaml.contains("server:") ? yaml : "server: { port: 0, adminPort: 0 }\n" + yaml;
        try {
            GatewayConfig config = ConfigLoader.load(full, env);
            return new TestGateway(GatewayServer.start(config));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("test config is invalid:\n" + String.join("\n", e.problems()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Writes {@code yaml} (with ephemeral ports unless it has a {@code server:} section) to
     * {@code dir/gateway.yaml} and starts a gateway from that file, which it can reload.
     */
    public static TestGateway startFromFile(Path dir, String yaml) throws IOException {
        Path file = dir.resolve("gateway.yaml");
        Files.writeString(file, yaml.contains("server:") ? yaml : "server: { port: 0, adminPort: 0 }\n" + yaml);
        return startFromFile(file);
    }

    /** Starts a gateway from a config file, as {@code run --config FILE} does: it reloads from that file. */
    public static TestGateway startFromFile(Path file) {
        try {
            ConfigLoader.LoadedFile loaded = ConfigLoader.loadFile(file, Map.of());
            return new TestGateway(GatewayServer.start(new GatewayServer.ConfigSource(file, Map.of(), loaded)));
        } catch (ConfigException e) {
            throw new IllegalArgumentException("test config is invalid:\n" + String.join("\n", e.problems()), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** {@code POST /admin/reload}. */
    public HttpResponse<String> reload() throws Exception {
        return send(HttpRequest.newBuilder(adminUri("/admin/reload")).POST(HttpRequest.BodyPublishers.noBody()).build());
    }

    /** The admin port's {@code /metrics}, parsed. */
    public PrometheusText metrics() throws Exception {
        return new PrometheusText(admin("/metrics").body());
    }

    /** A route at {@code /} with one upstream named {@code primary} on {@code endpoint}, plus extra route keys. */
    public static TestGateway oneRoute(String endpoint, String extraRouteYaml) {
        return oneRoute("", endpoint, extraRouteYaml, Map.of());
    }

    /** As {@link #oneRoute(String, String)}, after top-level sections, with {@code env} for their variables. */
    public static TestGateway oneRoute(String sectionsYaml, String endpoint, String extraRouteYaml, Map<String, String> env) {
        return start(sectionsYaml + """

                routes:
                  - name: main
                    match: { pathPrefix: / }
                %s
                    upstreams:
                      - name: primary
                        endpoints: [ "%s" ]
                """.formatted(indent(extraRouteYaml, "    "), endpoint), env);
    }

    /** YAML lines moved right by {@code by}, to sit inside a route or an upstream of a test config. */
    public static String indent(String yaml, String by) {
        return yaml.isBlank() ? "" : yaml.strip().lines().map(l -> by + l).reduce((a, b) -> a + "\n" + b).orElse("");
    }

    public GatewayServer server() {
        return server;
    }

    public int port() {
        return server.port();
    }

    public URI uri(String path) {
        return URI.create("http://127.0.0.1:" + port() + path);
    }

    public URI adminUri(String path) {
        return URI.create("http://127.0.0.1:" + server.adminPort() + path);
    }

    public HttpResponse<String> get(String path) throws Exception {
        return send(HttpRequest.newBuilder(uri(path)).GET().build());
    }

    public HttpResponse<String> admin(String path) throws Exception {
        return send(HttpRequest.newBuilder(adminUri(path)).GET().build());
    }

    public static java.util.concurrent.CompletableFuture<HttpResponse<String>> sendAsync(HttpRequest request) {
        return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString());
    }

    public static HttpResponse<String> send(HttpRequest request) throws Exception {
        return HTTP.send(request, HttpResponse.BodyHandlers.ofString());
    }

    public static HttpClient client() {
        return HTTP;
    }

    @Override
    public void close() {
        server.close();
    }
}
