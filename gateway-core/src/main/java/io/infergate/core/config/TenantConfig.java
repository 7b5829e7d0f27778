package io.infergate.core.config;

import io.infergate.core.admission.Tier;

import java.util.Set;
import java.util.regex.Pattern;

/**
 * One client of the gateway, known by its API key. Only the key's SHA-256 digest is kept: the file
 * gives the digest ({@code keySha256}) or names the environment variable that holds the key
 * ({@code keyEnv}), which is hashed when the file is loaded and then forgotten.
 *
 * @param keySha256 the key's SHA-256 digest in lower-case hex
 * @param keyEnv    the variable the key was read from; null when the file gave the digest
 * @param routes    the names of the routes the tenant may use; null: every route
 */
public record TenantConfig(String name, String keySha256, String keyEnv, Tier tier, RateLimits limits,
                           Set<String> routes) {

    private static final Pattern DIGEST = Pattern.compile("[0-9a-f]{64}");

    public TenantConfig {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a tenant needs a name");
        }
        if (keySha256 == null || !DIGEST.matcher(keySha256).matches()) {
            throw new IllegalArgumentException("tenant " + name + ": keySha256 must be 64 lower-case hex digits");
        }
        if (tier == null || limits == null) {
            throw new IllegalArgumentException("tenant " + name + ": tier and limits are required");
        }
        routes = routes == null ? null : Set.copyOf(routes);
    }
}
