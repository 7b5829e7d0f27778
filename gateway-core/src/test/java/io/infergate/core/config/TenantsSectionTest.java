package io.infergate.core.config;

import io.infergate.core.admission.Tier;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.Set;

import static io.infergate.core.config.ConfigFixtures.load;
import static io.infergate.core.config.ConfigFixtures.problemsOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TenantsSectionTest {

    private static final String ACME_KEY = "acme-0123456789abcdef";
    private static final String ACME_DIGEST = TenantsBinder.sha256Hex(ACME_KEY);
    private static final String OTHER_DIGEST = "AB".repeat(32);

    private static final String TWO_ROUTES = """
            routes:
              - name: llama
                match: { pathPrefix: /llama/ }
                upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:3000" ] } ]
              - name: small
                match: { pathPrefix: / }
                upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:3001" ] } ]
            """;

    private static GatewayConfig load(String yaml, Map<String, String> env) throws ConfigException {
        return ConfigLoader.load(yaml, env);
    }

    @Test
    void withoutTheseSectionsTheGatewayIsOpenAtTheBuiltInTiers() throws ConfigException {
        GatewayConfig config = ConfigFixtures.load(ConfigFixtures.ONE_ROUTE);

        assertEquals(Tier.DEFAULTS, config.tiers());
        assertEquals(AuthConfig.DEFAULTS, config.auth());
        assertFalse(config.auth().required());
        assertEquals(Tier.STANDARD, config.auth().anonymousTier());
        assertEquals(List.of(), config.tenants());
    }

    @Test
    void tenantsAreBoundFromADigestOrAKeyInTheEnvironment() throws ConfigException {
        GatewayConfig config = load("""
                auth: { required: true }
                tenants:
                  - name: acme
                    keyEnv: ACME_KEY
                    tier: premium
                    limits: { requestsPerMinute: 600, tokensPerMinute: 200000 }
                  - name: hobby
                    keySha256: "%s"
                    tier: free
                    routes: [ small ]
                    limits: { requestsPerMinute: 10 }
                  - name: plain
                    keySha256: "%s"
                """.formatted(OTHER_DIGEST, "cd".repeat(32)) + TWO_ROUTES, Map.of("ACME_KEY", ACME_KEY));

        assertTrue(config.auth().required());
        assertEquals(List.of(
                new TenantConfig("acme", ACME_DIGEST, "ACME_KEY", Tier.PREMIUM, RateLimits.of(600, 200_000), null),
                new TenantConfig("hobby", "ab".repeat(32), null, Tier.FREE,
                        new RateLimits(OptionalLong.of(10), OptionalLong.empty()), Set.of("small")),
                new TenantConfig("plain", "cd".repeat(32), null, Tier.STANDARD, RateLimits.NONE, null)),
                config.tenants());
    }

    @Test
    void theKeyItselfIsKeptNowhereInTheConfig() throws ConfigException {
        GatewayConfig config = load("tenants: [ { name: acme, keyEnv: ACME_KEY } ]\n" + TWO_ROUTES,
                Map.of("ACME_KEY", ACME_KEY));

        assertFalse(config.toString().contains(ACME_KEY));
        assertEquals(ACME_DIGEST, config.tenants().get(0).keySha256());
    }

    @Test
    void tiersOverrideTheBuiltInsKeyByKeyAndAddNewOnesInPriorityOrder() throws ConfigException {
        GatewayConfig config = ConfigFixtures.load("""
                tiers:
                  free: { shedAtGpuUtilization: 0.7 }
                  gold: { priority: 25, shedAtQueueDepth: 40 }
                  premium: { priority: 40 }
                auth: { anonymousTier: free }
                """ + TWO_ROUTES);

        assertEquals(List.of(
                new Tier("premium", 40, OptionalDouble.empty(), OptionalInt.empty()),
                new Tier("gold", 25, OptionalDouble.empty(), OptionalInt.of(40)),
                Tier.STANDARD,
                new Tier("free", 10, OptionalDouble.of(0.7), OptionalInt.of(16))), config.tiers());
        assertEquals("free", config.auth().anonymousTier().name());
        assertEquals(0.7, config.auth().anonymousTier().shedAtGpuUtilization().getAsDouble());
        assertEquals(25, config.tier("gold").orElseThrow().priority());
    }

    @Test
    void tiersMaySwapPriorities() throws ConfigException {
        GatewayConfig config = ConfigFixtures.load("tiers: { premium: { priority: 20 }, standard: { priority: 30 } }\n"
                + TWO_ROUTES);

        assertEquals(List.of("standard", "premium", "free"), config.tiers().stream().map(Tier::name).toList());
    }

    @Test
    void tierProblemsAreReportedByPath() {
        assertEquals(List.of(
                "tiers.gold.priority: required (a tier that is not built in needs its place among the others)",
                "tiers.bronze.shedAtGpuUtilization: \"85\" is out of range (expected: more than 0 and at most 1, such as 0.95)",
                "tiers.bronze.shedAtQueueDepth: \"0\" is out of range (expected: 1-1000000)",
                "tiers.free.priorty: unknown key (did you mean \"priority\"?)",
                "tiers.bad name: \"bad name\" is not a valid name (expected: letters, digits, '.', '_' or '-')",
                "tiers.silver.priority: 20 is also the priority of tier standard"
                        + " (each tier needs its own: the queue serves tiers in priority order)"),
                problemsOf("""
                        tiers:
                          gold: { shedAtQueueDepth: 4 }
                          bronze: { priority: 5, shedAtGpuUtilization: 85, shedAtQueueDepth: 0 }
                          free: { priorty: 1 }
                          "bad name": { priority: 3 }
                          silver: { priority: 20 }
                        """ + TWO_ROUTES));
        assertEquals(List.of("tiers: expected a map, got a list"), problemsOf("tiers: [ premium ]\n" + TWO_ROUTES));
    }

    @Test
    void everyTenantRuleIsReportedByPath() {
        List<String> problems = ConfigFixtures.problemsOf("""
                tenants:
                  - name: acme
                    keySha256: "%1$s"
                    tier: gold
                    routes: [ lama, nowhere ]
                    limits: { requestsPerMinute: 0, tokensPerMinut: 5 }
                  - name: acme
                    keySha256: "%1$s"
                  - name: both
                    keySha256: "%1$s"
                    keyEnv: KEY
                  - name: neither
                  - name: short
                    keySha256: "abc"
                  - name: anonymous
                    keyEnv: UNSET_KEY
                  - name: spaced
                    keyEnv: SPACED_KEY
                  - name: tiny
                    keyEnv: TINY_KEY
                  - name: empty
                    keyEnv: EMPTY_KEY
                    routes: []
                  - keySha256: "%2$s"
                """.formatted(OTHER_DIGEST, "ef".repeat(32)) + TWO_ROUTES,
                Map.of("SPACED_KEY", "a key with spaces in it", "TINY_KEY", "k3y", "EMPTY_KEY", ""));

        assertEquals(List.of(
                "tenants[0].tier: unknown tier \"gold\" (expected one of: premium, standard, free)",
                "tenants[0].routes[0]: unknown route \"lama\" (did you mean \"llama\"?)",
                "tenants[0].routes[1]: unknown route \"nowhere\" (expected one of: llama, small)",
                "tenants[0].limits.tokensPerMinut: unknown key (did you mean \"tokensPerMinute\"?)",
                "tenants[0].limits.requestsPerMinute: \"0\" is out of range (expected: 1-2147483647)",
                "tenants[1].name: duplicate tenant name \"acme\" (also tenants[0])",
                "tenants[1].keySha256: the same key as tenants[0] (each tenant needs its own)",
                "tenants[2]: give keySha256 or keyEnv, not both",
                "tenants[3]: keySha256 or keyEnv is required",
                "tenants[4].keySha256: not a SHA-256 digest (expected: 64 hex digits, as printed by sha256sum;"
                        + " value not shown)",
                "tenants[5].name: \"anonymous\" is reserved for requests without a key",
                "tenants[5].keyEnv: environment variable UNSET_KEY is not set",
                "tenants[6].keyEnv: the key in SPACED_KEY may hold only visible ASCII characters, without spaces",
                "tenants[7].keyEnv: the key in TINY_KEY is too short (expected: at least 16 characters;"
                        + " openssl rand -hex 32 makes a good one)",
                "tenants[8].keyEnv: environment variable EMPTY_KEY is empty",
                "tenants[8].routes: must not be empty",
                "tenants[9].name: required"), problems);
    }

    @Test
    void twoTenantsMayNotShareAKeyHoweverItIsGiven() {
        assertEquals(List.of("tenants[1].keyEnv: the same key as tenants[0] (each tenant needs its own)"),
                ConfigFixtures.problemsOf("""
                        tenants:
                          - { name: a, keySha256: "%s" }
                          - { name: b, keyEnv: ACME_KEY }
                        """.formatted(ACME_DIGEST.toUpperCase()) + TWO_ROUTES, Map.of("ACME_KEY", ACME_KEY)));
    }

    @Test
    void aKeyPastedInPlaceOfItsVariableNameIsNeverShown() {
        String pasted = "sk-live-9f8e7d6c5b4a39281706";
        String lowerCaseName = "abcdefghijklmnopqrstuvwxyz";

        List<String> problems = ConfigFixtures.problemsOf("""
                tenants:
                  - { name: a, keyEnv: "%s" }
                  - { name: b, keyEnv: %s }
                """.formatted(pasted, lowerCaseName) + TWO_ROUTES);

        String notItself = "must be the name of an environment variable that holds the key, not the key itself (value not shown)";
        assertEquals(List.of("tenants[0].keyEnv: " + notItself, "tenants[1].keyEnv: " + notItself), problems);
    }

    @Test
    void aKeyFromTheEnvironmentIsRedactedWhereverAMessageWouldQuoteIt() {
        List<String> problems = ConfigFixtures.problemsOf("""
                tenants: [ { name: a, keyEnv: ACME_KEY } ]
                server: { port: "${ACME_KEY}" }
                """ + TWO_ROUTES, Map.of("ACME_KEY", ACME_KEY));

        assertEquals(List.of("server.port: \"[redacted]\" is not an integer"), problems);
    }

    @Test
    void requiringKeysWithoutTenantsIsRefused() {
        assertEquals(List.of("auth.required: true, but no tenant is configured in tenants: every request would be refused"),
                problemsOf("auth: { required: true }\n" + TWO_ROUTES));
        assertEquals(List.of("auth.required: true, but no tenant is configured in tenants: every request would be refused"),
                problemsOf("auth: { required: true }\ntenants: []\n" + TWO_ROUTES));
    }

    @Test
    void authProblemsAreReportedByPath() {
        assertEquals(List.of(
                "auth.require: unknown key (did you mean \"required\"?)",
                "auth.required: \"yes\" is not a boolean (expected: true or false)",
                "auth.anonymousTier: unknown tier \"bronze\" (expected one of: premium, standard, free)",
                "auth.anonymousLimits.requestsPerMinute: \"many\" is not an integer"),
                problemsOf("""
                        auth:
                          required: "yes"
                          anonymousTier: bronze
                          anonymousLimits: { requestsPerMinute: many }
                          require: true
                        """ + TWO_ROUTES));
    }

    @Test
    void anonymousRequestsMayBeLimitedToo() throws ConfigException {
        AuthConfig auth = ConfigFixtures.load("""
                auth: { anonymousTier: free, anonymousLimits: { requestsPerMinute: 30, tokensPerMinute: 5000 } }
                """ + TWO_ROUTES).auth();

        assertEquals(new AuthConfig(false, Tier.FREE, RateLimits.of(30, 5000)), auth);
    }

    @Test
    void aTenantNamingARouteThatFailedToBindIsNotReportedForIt() {
        assertEquals(List.of("routes[0].match: required"), problemsOf("""
                tenants: [ { name: a, keySha256: "%s", routes: [ broken ] } ]
                routes:
                  - name: broken
                    upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:3000" ] } ]
                """.formatted(OTHER_DIGEST)));
    }

    @Test
    void rateLimitsAndTenantsRefuseNonsenseWhenBuiltInCode() {
        assertThrows(IllegalArgumentException.class, () -> RateLimits.of(0, 1));
        assertThrows(IllegalArgumentException.class,
                () -> new TenantConfig("a", "AB".repeat(32), null, Tier.FREE, RateLimits.NONE, null));
        assertNull(new TenantConfig("a", "ab".repeat(32), null, Tier.FREE, RateLimits.NONE, null).routes());
    }
}
