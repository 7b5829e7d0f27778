package io.infergate.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.infergate.core.admission.AdmissionSettings;
import io.infergate.core.admission.Tier;
import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.RetryPolicy;
import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

/**
 * Turns a YAML file into a {@link GatewayConfig}, or refuses it with every problem found.
 * Pure apart from reading the file and any {@code caFile}: the environment is passed in, nothing is logged.
 * The keys and rules are documented in {@code config/README.md}.
 */
public final class ConfigLoader {

    static final List<String> KEYS = List.of("server", "defaults", "routes", "tiers", "auth", "tenants", "jobs");
    static final List<String> DEFAULTS_KEYS =
            List.of("timeouts", "heartbeat", "retry", "breaker", "admission", "load", "reserveTokens");

    private ConfigLoader() {}

    /**
     * Loads a config file. A relative {@code tls.caFile} in it is taken from the file's directory.
     *
     * @param env the environment for {@code ${VAR}} substitution, {@code auth.bearerEnv}, {@code keyEnv} and
     *            {@code jobs.webhookSecretEnv}
     * @throws ConfigException listing every problem, or the one reason the file could not be read
     */
    public static GatewayConfig load(Path file, Map<String, String> env) throws ConfigException {
        String yaml;
        try {
            yaml = Files.readString(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + reason(e)));
        }
        return load(yaml, env, file.toAbsolutePath().getParent());
    }

    /**
     * Loads config text. A relative {@code tls.caFile} in it is taken from the working directory.
     *
     * @param env the environment for {@code ${VAR}} substitution, {@code auth.bearerEnv}, {@code keyEnv} and
     *            {@code jobs.webhookSecretEnv}
     * @throws ConfigException listing every problem
     */
    public static GatewayConfig load(String yaml, Map<String, String> env) throws ConfigException {
        return load(yaml, env, null);
    }

    private static GatewayConfig load(String yaml, Map<String, String> env, Path baseDir) throws ConfigException {
        Problems problems = new Problems();
        JsonNode document = YamlTreeReader.read(yaml, problems);
        if (document == null) {
            throw problems.toException();
        }
        EnvSubstitution substitution = new EnvSubstitution(env);
        GatewayConfig config = bind(ConfigNode.root(document, problems, substitution), substitution, problems, baseDir);
        if (!problems.isEmpty()) {
            throw problems.toException();
        }
        return config;
    }

    private static GatewayConfig bind(ConfigNode root, EnvSubstitution env, Problems problems, Path baseDir) {
        if (!root.checkMap(KEYS)) {
            return null;
        }
        ServerConfig server = ServerBinder.bind(root.get("server"));
        RouteDefaults defaults = bindDefaults(root.get("defaults"));
        UpstreamBinder upstreamBinder = new UpstreamBinder(env, problems, new TlsBinder(baseDir));
        RouteBinder routeBinder = new RouteBinder(defaults, upstreamBinder);
        List<RouteConfig> routes = routeBinder.bindAll(root.get("routes"));
        List<Tier> tiers = TiersBinder.bind(root.get("tiers"));
        TenantsBinder tenantsBinder = new TenantsBinder(env, problems, tiers, routeBinder.names());
        List<TenantConfig> tenants = tenantsBinder.bindTenants(root.get("tenants"));
        AuthConfig auth = tenantsBinder.bindAuth(root.get("auth"));
        JobsConfig jobs = new JobsBinder(env, problems).bind(root.get("jobs"));
        return new GatewayConfig(server, defaults, routes, tiers, auth, tenants, jobs);
    }

    private static RouteDefaults bindDefaults(ConfigNode defaults) {
        if (!defaults.checkMap(DEFAULTS_KEYS)) {
            return RouteDefaults.BUILTIN;
        }
        return new RouteDefaults(
                TimeoutsBinder.bind(defaults.get("timeouts"), Timeouts.DEFAULTS),
                HeartbeatBinder.bind(defaults.get("heartbeat"), HeartbeatConfig.DEFAULTS),
                RetryBinder.bind(defaults.get("retry"), RetryPolicy.DEFAULTS),
                BreakerBinder.bind(defaults.get("breaker"), BreakerSettings.DEFAULTS),
                AdmissionBinder.bind(defaults.get("admission"), AdmissionSettings.DEFAULTS),
                LoadBinder.bind(defaults.get("load"), LoadConfig.DEFAULTS),
                defaults.get("reserveTokens").integer(RouteDefaults.DEFAULT_RESERVE_TOKENS, 0,
                        RouteBinder.MAX_RESERVE_TOKENS));
    }

    private static String reason(IOException e) {
        if (e instanceof NoSuchFileException) {
            return "no such file";
        }
        if (e instanceof AccessDeniedException) {
            return "permission denied";
        }
        if (e instanceof CharacterCodingException) {
            return "not UTF-8 text";
        }
        return e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
    }
}
