package io.infergate.core.config;

import io.infergate.core.admission.Tier;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * Binds {@code auth:} and {@code tenants:}, after the tiers and routes they refer to. A key never
 * shows in a problem: one read from the environment is registered as a secret, and the messages
 * about keys and digests never quote them.
 */
final class TenantsBinder {

    static final List<String> AUTH_KEYS = List.of("required", "anonymousTier", "anonymousLimits");
    static final List<String> TENANT_KEYS = List.of("name", "keySha256", "keyEnv", "tier", "routes", "limits");
    static final List<String> LIMITS_KEYS = List.of("requestsPerMinute", "tokensPerMinute");

    /** The name requests without a key go by; no tenant may take it. */
    static final String ANONYMOUS = "anonymous";
    /** Shorter keys could be guessed by trying them; a generated key is far longer. */
    static final int MIN_KEY_LENGTH = 16;

    private static final Pattern DIGEST = Pattern.compile("[0-9A-Fa-f]{64}");
    private static final Pattern VARIABLE_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    // A key travels as a header value after "Bearer " or in X-API-Key: visible ASCII, no spaces.
    private static final Pattern KEY_CHARACTERS = Pattern.compile("[\\x21-\\x7E]+");

    private final EnvSubstitution env;
    private final Problems problems;
    private final List<Tier> tiers;
    private final Collection<String> routeNames;
    private int tenantsListed;

    TenantsBinder(EnvSubstitution env, Problems problems, List<Tier> tiers, Collection<String> routeNames) {
        this.env = env;
        this.problems = problems;
        this.tiers = tiers;
        this.routeNames = routeNames;
    }

    List<TenantConfig> bindTenants(ConfigNode tenants) {
        DuplicateCheck names = new DuplicateCheck("tenant name");
        Map<String, String> keyOwners = new HashMap<>();
        List<TenantConfig> bound = new ArrayList<>();
        for (ConfigNode tenant : tenants.items()) {
            tenantsListed++;
            TenantConfig config = bindTenant(tenant, names, keyOwners);
            if (config != null) {
                bound.add(config);
            }
        }
        return bound;
    }

    /** Binds {@code auth:}; after {@link #bindTenants}, whose count of tenants it checks {@code required} against. */
    AuthConfig bindAuth(ConfigNode auth) {
        AuthConfig base = AuthConfig.DEFAULTS;
        if (auth.isAbsent() || !auth.checkMap(AUTH_KEYS)) {
            return base;
        }
        ConfigNode requiredNode = auth.get("required");
        boolean required = requiredNode.bool(base.required());
        if (required && tenantsListed == 0) {
            requiredNode.report("true, but no tenant is configured in tenants: every request would be refused");
        }
        ConfigNode tierNode = auth.get("anonymousTier");
        Tier tier = tierNode.isAbsent() ? tier(Tier.STANDARD.name()) : tier(tierNode);
        RateLimits limits = limits(auth.get("anonymousLimits"));
        return new AuthConfig(required, tier == null ? base.anonymousTier() : tier, limits);
    }

    private TenantConfig bindTenant(ConfigNode tenant, DuplicateCheck names, Map<String, String> keyOwners) {
        if (!tenant.checkMap(TENANT_KEYS)) {
            return null;
        }
        ConfigNode nameNode = tenant.get("name");
        String name = nameNode.requiredName();
        if (ANONYMOUS.equals(name)) {
            nameNode.report("\"" + ANONYMOUS + "\" is reserved for requests without a key");
            name = null;
        }
        names.check(nameNode, name, tenant.path());
        ConfigNode keySha256Node = tenant.get("keySha256");
        ConfigNode keyEnvNode = tenant.get("keyEnv");
        String keyEnv = keyEnvNode.isAbsent() || !keySha256Node.isAbsent() ? null : keyEnvNode.requiredString();
        String digest = digest(keySha256Node, keyEnvNode, keyEnv, tenant);
        if (digest != null) {
            String first = keyOwners.putIfAbsent(digest, tenant.path());
            if (first != null) {
                (keyEnv == null ? keySha256Node : keyEnvNode)
                        .report("the same key as " + first + " (each tenant needs its own)");
                digest = null;
            }
        }
        ConfigNode tierNode = tenant.get("tier");
        Tier tier = tierNode.isAbsent() ? tier(Tier.STANDARD.name()) : tier(tierNode);
        Set<String> routes = routes(tenant.get("routes"));
        RateLimits limits = limits(tenant.get("limits"));
        if (name == null || digest == null || tier == null) {
            return null; // an unknown route was reported and only dropped: the file is refused all the same
        }
        return new TenantConfig(name, digest, keyEnv, tier, limits, routes);
    }

    /**
     * The key's digest in lower-case hex, from exactly one of {@code keySha256} and {@code keyEnv}
     * (whose value is {@code variable}); null after reporting.
     */
    private String digest(ConfigNode keySha256, ConfigNode keyEnv, String variable, ConfigNode tenant) {
        if (keySha256.isAbsent() == keyEnv.isAbsent()) {
            tenant.report(keySha256.isAbsent() ? "keySha256 or keyEnv is required"
                    : "give keySha256 or keyEnv, not both");
            return null;
        }
        if (!keySha256.isAbsent()) {
            String hex = keySha256.requiredString();
            if (hex == null) {
                return null;
            }
            if (!DIGEST.matcher(hex).matches()) {
                keySha256.report("not a SHA-256 digest"
                        + " (expected: 64 hex digits, as printed by sha256sum; value not shown)");
                return null;
            }
            return hex.toLowerCase(Locale.ROOT);
        }
        if (variable == null) {
            return null;
        }
        String key = env.valueOf(variable);
        if (key == null && VARIABLE_NAME.matcher(variable).matches() && !looksLikeAKey(variable)) {
            keyEnv.report("environment variable " + variable + " is not set");
            return null;
        }
        if (key == null) {
            problems.addSecret(variable);
            // Never echo it: someone may have pasted the key where its variable's name belongs.
            keyEnv.report("must be the name of an environment variable that holds the key,"
                    + " not the key itself (value not shown)");
            return null;
        }
        problems.addSecret(key);
        if (key.isEmpty()) {
            keyEnv.report("environment variable " + variable + " is empty");
        } else if (!KEY_CHARACTERS.matcher(key).matches()) {
            keyEnv.report("the key in " + variable + " may hold only visible ASCII characters, without spaces");
        } else if (key.length() < MIN_KEY_LENGTH) {
            keyEnv.report("the key in " + variable + " is too short (expected: at least " + MIN_KEY_LENGTH
                    + " characters; openssl rand -hex 32 makes a good one)");
        } else {
            return sha256Hex(key);
        }
        return null;
    }

    /**
     * Whether an unset "variable name" is more likely a pasted key: environment variables are named in
     * upper case, generated keys are long and mix in lower-case letters.
     */
    private static boolean looksLikeAKey(String variable) {
        return variable.length() >= MIN_KEY_LENGTH && !variable.equals(variable.toUpperCase(Locale.ROOT));
    }

    static String sha256Hex(String key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    }

    private Tier tier(ConfigNode tierNode) {
        String name = tierNode.requiredString();
        if (name == null) {
            return null;
        }
        Tier tier = tier(name);
        if (tier == null) {
            tierNode.report(unknown("tier", name, tiers.stream().map(Tier::name).toList()));
        }
        return tier;
    }

    private Tier tier(String name) {
        return tiers.stream().filter(t -> t.name().equals(name)).findFirst().orElse(null);
    }

    /** The route names, or null for every route when the key is absent. */
    private Set<String> routes(ConfigNode routes) {
        if (routes.isAbsent()) {
            return null;
        }
        Set<String> names = new LinkedHashSet<>();
        for (ConfigNode route : routes.requiredItems()) {
            String name = route.requiredString();
            if (name != null && !routeNames.contains(name)) {
                route.report(unknown("route", name, routeNames));
            } else if (name != null) {
                names.add(name);
            }
        }
        return names;
    }

    private static RateLimits limits(ConfigNode limits) {
        if (limits.isAbsent() || !limits.checkMap(LIMITS_KEYS)) {
            return RateLimits.NONE;
        }
        return new RateLimits(
                perMinute(limits.get("requestsPerMinute")),
                perMinute(limits.get("tokensPerMinute")));
    }

    private static OptionalLong perMinute(ConfigNode limit) {
        if (limit.isAbsent()) {
            return OptionalLong.empty();
        }
        int n = limit.integer(0, 1, Integer.MAX_VALUE);
        return n == 0 ? OptionalLong.empty() : OptionalLong.of(n);
    }

    private static String unknown(String what, String name, Collection<String> known) {
        return "unknown " + what + " \"" + name + "\" " + KeySuggestion.closest(name, known)
                .map(close -> "(did you mean \"" + close + "\"?)")
                .orElse("(expected one of: " + String.join(", ", known) + ")");
    }
}
