package io.infergate.core.config;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Binds {@code store:}. Absent, jobs and rate limits stay in memory. The Redis password is read from
 * the environment now and registered as a secret, so no message can show it; a URL that carries one
 * is refused, since the file would then hold it. A {@code caFile} is read now, as an upstream's is.
 */
final class StoreBinder {

    static final List<String> KEYS = List.of("redis", "onUnavailable");
    static final List<String> REDIS_KEYS = List.of("url", "passwordEnv", "connectTimeout", "commandTimeout",
            "keyPrefix", "caFile");
    static final List<String> SCHEMES = List.of("redis", "rediss", "redis-sentinel", "rediss-sentinel");

    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    /** Keys are built from the prefix, tenant, route and job names: printable, no spaces. */
    private static final Pattern KEY_PREFIX = Pattern.compile("[!-~]{0,64}");

    private final EnvSubstitution env;
    private final Problems problems;
    private final TlsBinder tls;

    StoreBinder(EnvSubstitution env, Problems problems, TlsBinder tls) {
        this.env = env;
        this.problems = problems;
        this.tls = tls;
    }

    StoreConfig bind(ConfigNode store) {
        if (store.isAbsent() || !store.checkMap(KEYS)) {
            return StoreConfig.DEFAULTS;
        }
        ConfigNode onUnavailableNode = store.get("onUnavailable");
        String onUnavailable = onUnavailableNode.string("allow");
        StoreConfig.OnUnavailable policy = StoreConfig.OnUnavailable.ALLOW;
        if (onUnavailable.equals("deny")) {
            policy = StoreConfig.OnUnavailable.DENY;
        } else if (!onUnavailable.equals("allow")) {
            onUnavailableNode.report("\"" + onUnavailable + "\" is not a policy (expected: allow or deny)");
        }
        ConfigNode redisNode = store.get("redis");
        if (redisNode.isAbsent()) {
            if (!onUnavailableNode.isAbsent()) {
                onUnavailableNode.report("applies to a shared store only: set store.redis too");
            }
            return StoreConfig.DEFAULTS;
        }
        return new StoreConfig(redis(redisNode), policy);
    }

    private Optional<RedisStoreConfig> redis(ConfigNode redis) {
        if (!redis.isMap()) {
            redis.report("expected a map with at least url, e.g. { url: \"redis://127.0.0.1:6379/0\" }");
            return Optional.empty();
        }
        redis.checkMap(REDIS_KEYS);
        URI url = url(redis.get("url"));
        String password = password(redis.get("passwordEnv"));
        Duration connectTimeout = redis.get("connectTimeout").positiveDuration(RedisStoreConfig.DEFAULT_CONNECT_TIMEOUT);
        Duration commandTimeout = redis.get("commandTimeout").positiveDuration(RedisStoreConfig.DEFAULT_COMMAND_TIMEOUT);
        ConfigNode prefixNode = redis.get("keyPrefix");
        String keyPrefix = prefixNode.string(RedisStoreConfig.DEFAULT_KEY_PREFIX);
        if (!KEY_PREFIX.matcher(keyPrefix).matches()) {
            prefixNode.report("must be at most 64 visible ASCII characters, without spaces");
        }
        ConfigNode caFileNode = redis.get("caFile");
        String caFile = tls.caFile(caFileNode);
        if (url == null) {
            return Optional.empty();
        }
        if (caFile != null && !url.getScheme().toLowerCase(Locale.ROOT).startsWith("rediss")) {
            // Over plain redis:// it would be silently unused, while the user believes the link verified.
            caFileNode.report("caFile needs a rediss:// (or rediss-sentinel://) url");
        }
        return Optional.of(new RedisStoreConfig(url, password, connectTimeout, commandTimeout, keyPrefix, caFile));
    }

    /** A Redis URL without a password in it; null after reporting. */
    private static URI url(ConfigNode node) {
        String text = node.requiredString();
        if (text == null) {
            return null;
        }
        URI url = node.url(text);
        if (url == null) {
            return null;
        }
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        if (!SCHEMES.contains(scheme)) {
            node.report("unsupported scheme (expected one of: " + String.join(", ", SCHEMES)
                    + ", e.g. redis://127.0.0.1:6379/0)");
            return null;
        }
        if (url.getRawUserInfo() != null && url.getRawUserInfo().contains(":")) {
            // The value itself is not repeated: it holds the password.
            node.report("must not hold a password (value not shown); put it in an environment variable"
                    + " and name that in store.redis.passwordEnv");
            return null;
        }
        // A Sentinel URL may list several hosts, which java.net.URI does not take for a host.
        if (scheme.endsWith("-sentinel") ? url.getRawAuthority() == null : url.getHost() == null) {
            node.report("names no host (expected e.g. redis://127.0.0.1:6379/0)");
            return null;
        }
        String path = url.getPath() == null ? "" : url.getPath();
        if (!path.isEmpty() && !path.matches("/[0-9]{0,2}")) {
            node.report("the path must be a database number, e.g. /0");
            return null;
        }
        return url;
    }

    /** The password from the variable {@code passwordEnv} names; null when absent or after reporting. */
    private String password(ConfigNode passwordEnv) {
        if (passwordEnv.isAbsent()) {
            return null;
        }
        String variable = passwordEnv.requiredString();
        if (variable == null) {
            return null;
        }
        String password = env.valueOf(variable);
        if (password == null) {
            if (!VARIABLE_NAME.matcher(variable).matches()) {
                problems.addSecret(variable);
                passwordEnv.report("must be the name of an environment variable that holds the password,"
                        + " not the password itself (value not shown)");
            } else {
                passwordEnv.report("environment variable " + variable + " is not set");
            }
            return null;
        }
        problems.addSecret(password);
        if (password.isEmpty()) {
            passwordEnv.report("environment variable " + variable + " is empty");
            return null;
        }
        return password;
    }
}
