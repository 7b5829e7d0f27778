package io.infergate.server;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.GatewayConfig;
import io.infergate.core.config.ServerConfig;
import org.junit.jupiter.api.Test;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** The shipped Kubernetes manifests agree with the config they ship: ports, probes, config path, grace. */
class KubernetesManifestsTest {

    private static final Path MANIFESTS = Path.of("..", "deploy", "kubernetes", "infergate.yaml");

    private final List<JsonNode> documents = read();
    private final JsonNode configMap = kind("ConfigMap");
    private final JsonNode deployment = kind("Deployment");
    private final JsonNode container = deployment.at("/spec/template/spec/containers/0");

    private static List<JsonNode> read() {
        try {
            List<JsonNode> all = new ArrayList<>();
            new ObjectMapper(new YAMLFactory()).readerFor(JsonNode.class)
                    .readValues(Files.readString(MANIFESTS)).forEachRemaining(d -> all.add((JsonNode) d));
            return all;
        } catch (java.io.IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private JsonNode kind(String kind) {
        return documents.stream().filter(d -> kind.equals(d.path("kind").asText())).findFirst().orElseThrow();
    }

    private GatewayConfig shippedConfig() throws Exception {
        String key = configFileName();
        return ConfigLoader.load(configMap.path("data").path(key).asText(), Map.of("HF_TOKEN", "hf_test"));
    }

    private String configFileName() {
        return Path.of(configPath()).getFileName().toString();
    }

    private String configPath() {
        List<String> args = new ArrayList<>();
        container.path("args").forEach(a -> args.add(a.asText()));
        return args.get(args.indexOf("--config") + 1);
    }

    @Test
    void theConfigMapHoldsAValidConfigUnderTheNameTheContainerReads() throws Exception {
        assertTrue(configMap.path("data").has(configFileName()), "the ConfigMap has no " + configFileName());
        String mountPath = container.path("volumeMounts").get(0).path("mountPath").asText();
        assertEquals(Path.of(mountPath), Path.of(configPath()).getParent(), "the config is read where it is mounted");
        assertEquals(configMap.at("/metadata/name").asText(),
                deployment.at("/spec/template/spec/volumes/0/configMap/name").asText());
        shippedConfig(); // throws ConfigException listing every problem
    }

    @Test
    void containerPortsAndProbesAreTheConfigsAndTheAdminPortIsReachable() throws Exception {
        ServerConfig server = shippedConfig().server();
        assertEquals("0.0.0.0", server.adminBind(), "kubelet's probes come from outside the pod");
        Map<String, Integer> ports = new java.util.HashMap<>();
        container.path("ports").forEach(p -> ports.put(p.path("name").asText(), p.path("containerPort").asInt()));
        assertEquals(server.port(), ports.get("http"));
        assertEquals(server.adminPort(), ports.get("admin"));
        assertEquals("/readyz", container.at("/readinessProbe/httpGet/path").asText());
        assertEquals("admin", container.at("/readinessProbe/httpGet/port").asText());
        assertEquals("/healthz", container.at("/livenessProbe/httpGet/path").asText());
        assertEquals("admin", container.at("/livenessProbe/httpGet/port").asText());
        assertEquals("http", kind("Service").at("/spec/ports/0/targetPort").asText());
        assertEquals(String.valueOf(server.adminPort()),
                deployment.at("/spec/template/metadata/annotations/prometheus.io~1port").asText());
    }

    @Test
    void theGracePeriodCoversTheShutdownDelayAndTheDrain() throws Exception {
        ServerConfig server = shippedConfig().server();
        assertTrue(server.shutdownDelay().toSeconds() > 0, "a pod must stay reachable while its Service drops it");
        long grace = deployment.at("/spec/template/spec/terminationGracePeriodSeconds").asLong();
        assertTrue(grace > server.shutdownDelay().plus(server.drainTimeout()).toSeconds(),
                "terminationGracePeriodSeconds " + grace + " would kill the drain");
    }

    @Test
    void theUpstreamTokenComesFromASecretUnderTheNameTheConfigReads() throws Exception {
        String bearerEnv = shippedConfig().routes().get(0).upstreams().get(0).auth().bearerEnv();
        boolean fromSecret = false;
        for (JsonNode env : container.path("env")) {
            fromSecret |= env.path("name").asText().equals(bearerEnv) && env.at("/valueFrom/secretKeyRef").isObject();
        }
        assertTrue(fromSecret, bearerEnv + " is not set from a Secret");
    }
}
