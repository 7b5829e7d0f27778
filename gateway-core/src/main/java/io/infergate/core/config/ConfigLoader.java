package io.infergate.core.config;

import com.fasterxml.jackson.databind.JsonNode;
import io.infergate.core.admission.AdmissionSettings;
import io.infergate.core.admission.Tier;
import io.infergate.core.resilience.BreakerSettings;
import io.infergate.core.resilience.RetryPolicy;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;

/**
 * Turns a YAML file into a {@link GatewayConfig}, or refuses it with every problem found.
 * Pure apart from reading the file and any {@code caFile}: the environment is passed in, nothing is logged.
 * The keys and rules are documented in {@code config/README.md}.
 */
public final class ConfigLoader {

    static final List<String> KEYS = List.of("server", "defaults", "routes", "tiers", "auth", "tenants", "jobs", "store", "tracing");
    static final List<String> DEFAULTS_KEYS =
            List.of("timeouts", "heartbeat", "retry", "breaker", "admission", "load", "reserveTokens");

    /**
     * The largest config file read. A config is a few KiB (the shipped example is under 6), so 1 MiB
     * leaves ample room, while a bigger file is refused before it is read or parsed: the YAML parser
     * slows down with the square of a long token's length.
     */
    public static final int MAX_FILE_BYTES = 1 << 20;

    private ConfigLoader() {}

    /**
     * Loads a config file. A relative {@code tls.caFile} in it is taken from the file's directory.
     *
     * @param env the environment for {@code ${VAR}} substitution, {@code auth.bearerEnv}, {@code keyEnv} and
     *            {@code jobs.webhookSecretEnv}
     * @throws ConfigException listing every problem, or the one reason the file could not be read
     *                         (its size among them: at most {@link #MAX_FILE_BYTES})
     */
    public static GatewayConfig load(Path file, Map<String, String> env) throws ConfigException {
        return loadFile(file, env).config();
    }

    /** A config and the SHA-256 of the text it was read from, which tells a reload whether the file changed. */
    public record LoadedFile(GatewayConfig config, String sha256) {}

    /** As {@link #load(Path, Map)}, with the hash of the very text that was loaded. */
    public static LoadedFile loadFile(Path file, Map<String, String> env) throws ConfigException {
        String yaml;
        try {
            yaml = read(file);
        } catch (IOException e) {
            throw new ConfigException(List.of(file + ": cannot read: " + reason(e)));
        }
        return new LoadedFile(load(yaml, env, file.toAbsolutePath().getParent()), sha256(yaml));
    }

    private static String sha256(String text) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
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
        TlsBinder tlsBinder = new TlsBinder(baseDir);
        UpstreamBinder upstreamBinder = new UpstreamBinder(env, problems, tlsBinder);
        RouteBinder routeBinder = new RouteBinder(defaults, upstreamBinder);
        List<RouteConfig> routes = routeBinder.bindAll(root.get("routes"));
        List<Tier> tiers = TiersBinder.bind(root.get("tiers"));
        TenantsBinder tenantsBinder = new TenantsBinder(env, problems, tiers, routeBinder.names());
        List<TenantConfig> tenants = tenantsBinder.bindTenants(root.get("tenants"));
        AuthConfig auth = tenantsBinder.bindAuth(root.get("auth"));
        JobsConfig jobs = new JobsBinder(env, problems).bind(root.get("jobs"));
        StoreConfig store = new StoreBinder(env, problems, tlsBinder).bind(root.get("store"));
        TracingConfig tracing = new TracingBinder(env, problems).bind(root.get("tracing"));
        return new GatewayConfig(server, defaults, routes, tiers, auth, tenants, jobs, store, tracing);
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

    /**
     * The file as UTF-8 text, refused unread when its size is over {@link #MAX_FILE_BYTES}, and read no
     * further than that in case the size was not the whole story (a pipe, a file still growing).
     */
    private static String read(Path file) throws IOException, ConfigException {
        long size = Files.size(file);
        if (size > MAX_FILE_BYTES) {
            throw tooLarge(file, size + " bytes");
        }
        byte[] bytes;
        try (InputStream in = Files.newInputStream(file)) {
            bytes = in.readNBytes(MAX_FILE_BYTES + 1);
        }
        if (bytes.length > MAX_FILE_BYTES) {
            throw tooLarge(file, "more than " + MAX_FILE_BYTES + " bytes");
        }
        return StandardCharsets.UTF_8.newDecoder().decode(ByteBuffer.wrap(bytes)).toString();
    }

    private static ConfigException tooLarge(Path file, String size) {
        return new ConfigException(List.of(
                file + ": too large for a config file: " + size + " (expected: at most " + MAX_FILE_BYTES + " bytes)"));
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
