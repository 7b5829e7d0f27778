package io.infergate.core.tenant;

import io.infergate.core.admission.Tier;
import io.infergate.core.config.AuthConfig;
import io.infergate.core.config.ConfigException;
import io.infergate.core.config.ConfigLoader;
import io.infergate.core.config.RateLimits;
import io.infergate.core.config.TenantConfig;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

class TenantDirectoryTest {

    private static final String ACME_KEY = "acme-key-0123456789";
    private static final String HOBBY_KEY = "hobby-key-9876543210";

    private static final TenantConfig ACME = new TenantConfig("acme", sha256(ACME_KEY), null, Tier.PREMIUM,
            RateLimits.of(600, 200_000), null);
    private static final TenantConfig HOBBY = new TenantConfig("hobby", sha256(HOBBY_KEY), null, Tier.FREE,
            RateLimits.NONE, Set.of("small"));

    private static final AuthConfig REQUIRED = new AuthConfig(true, Tier.STANDARD, RateLimits.NONE);
    private static final AuthConfig OPTIONAL = new AuthConfig(false, Tier.FREE, RateLimits.of(30, 1000));

    private final TenantDirectory required = new TenantDirectory(REQUIRED, List.of(ACME, HOBBY));
    private final TenantDirectory optional = new TenantDirectory(OPTIONAL, List.of(ACME, HOBBY));

    @Test
    void aBearerKeyIdentifiesItsTenant() {
        Identification id = required.identify("Bearer " + ACME_KEY, null);

        assertEquals(Identification.Status.TENANT, id.status());
        assertEquals(new Tenant("acme", Tier.PREMIUM, RateLimits.of(600, 200_000), null), id.tenant());
        assertEquals(Identification.Source.AUTHORIZATION, id.source());
        assertFalse(id.refused());
    }

    @Test
    void theBearerSchemeIsReadInAnyCaseAndAroundSpaces() {
        assertEquals("hobby", required.identify("  bearer   " + HOBBY_KEY + " ", null).tenant().name());
        assertEquals("hobby", required.identify("BEARER\t" + HOBBY_KEY, null).tenant().name());
    }

    @Test
    void anXApiKeyIdentifiesItsTenantAndWinsOverAuthorization() {
        Identification id = required.identify("Bearer hf_token_for_the_upstream", HOBBY_KEY);

        assertEquals(Identification.Status.TENANT, id.status());
        assertEquals("hobby", id.tenant().name());
        assertEquals(Identification.Source.X_API_KEY, id.source());
    }

    @Test
    void aKeyThatIsNoTenantsIsRefusedWhetherKeysAreRequiredOrNot() {
        for (TenantDirectory directory : List.of(required, optional)) {
            Identification byBearer = directory.identify("Bearer not-a-tenant-key-at-all", null);
            assertEquals(Identification.Status.UNKNOWN_KEY, byBearer.status());
            assertNull(byBearer.tenant());
            assertTrue(byBearer.refused());
            assertEquals(Identification.Source.AUTHORIZATION, byBearer.source());

            assertEquals(Identification.Status.UNKNOWN_KEY, directory.identify(null, ACME_KEY + "x").status());
        }
    }

    @Test
    void noKeyIsRefusedWhereOneIsRequired() {
        for (String authorization : new String[] {null, "", "Bearer", "Bearer   ", "Basic dXNlcjpwYXNz", "Bearerabc"}) {
            Identification id = required.identify(authorization, null);
            assertEquals(Identification.Status.MISSING_KEY, id.status(), authorization);
            assertTrue(id.refused());
        }
        assertEquals(Identification.Status.MISSING_KEY, required.identify(null, "  ").status());
    }

    @Test
    void noKeyIsTheAnonymousTenantWhereNoneIsRequired() {
        Identification id = optional.identify("Basic dXNlcjpwYXNz", null);

        assertEquals(Identification.Status.ANONYMOUS, id.status());
        assertEquals(Identification.Source.NONE, id.source());
        assertSame(optional.anonymous(), id.tenant());
        assertEquals(new Tenant("anonymous", Tier.FREE, RateLimits.of(30, 1000), null), id.tenant());
        assertTrue(id.tenant().isAnonymous());
        assertTrue(optional.allows(id.tenant(), "any-route"));
    }

    @Test
    void withoutTenantsNoHeaderIsReadAndEveryRequestIsAnonymous() {
        TenantDirectory open = new TenantDirectory(AuthConfig.DEFAULTS, List.of());

        Identification id = open.identify("Bearer hf_token_for_the_upstream", null);

        assertEquals(Identification.Status.ANONYMOUS, id.status());
        assertEquals(Identification.Source.NONE, id.source(), "the upstream's token is not the gateway's");
        assertEquals(Tier.STANDARD, id.tenant().tier());
    }

    @Test
    void aTenantMayUseOnlyTheRoutesItLists() {
        Tenant hobby = required.identify(null, HOBBY_KEY).tenant();
        Tenant acme = required.identify(null, ACME_KEY).tenant();

        assertTrue(required.allows(hobby, "small"));
        assertFalse(required.allows(hobby, "llama"), "403 forbidden");
        assertTrue(required.allows(acme, "llama"), "no list: every route");
    }

    @Test
    void everyDigestIsComparedInConstantTimeWhereverTheMatchIs() {
        List<TenantConfig> many = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            many.add(new TenantConfig("t" + i, sha256("tenant-key-number-" + i), null, Tier.STANDARD, RateLimits.NONE, null));
        }
        AtomicInteger comparisons = new AtomicInteger();
        TenantDirectory directory = new TenantDirectory(REQUIRED, many, (a, b) -> {
            comparisons.incrementAndGet();
            return MessageDigest.isEqual(a, b);
        });

        for (String key : List.of("tenant-key-number-0", "tenant-key-number-4", "no-such-tenant-key")) {
            comparisons.set(0);
            directory.identify(null, key);
            assertEquals(5, comparisons.get(), key + ": the scan does not stop at a match");
        }
        assertEquals("t4", directory.identify("Bearer tenant-key-number-4", null).tenant().name());
    }

    @Test
    void theDirectoryIsBuiltFromALoadedConfig() throws ConfigException {
        TenantDirectory directory = TenantDirectory.of(ConfigLoader.load("""
                auth: { required: true }
                tenants:
                  - { name: acme, keyEnv: ACME_KEY, tier: premium, routes: [ a ] }
                routes:
                  - name: a
                    match: { pathPrefix: / }
                    upstreams: [ { name: u, endpoints: [ "http://127.0.0.1:3000" ] } ]
                """, Map.of("ACME_KEY", ACME_KEY)));

        Tenant acme = directory.identify("Bearer " + ACME_KEY, null).tenant();
        assertEquals(new Tenant("acme", Tier.PREMIUM, RateLimits.NONE, Set.of("a")), acme);
        assertEquals(List.of(acme), directory.tenants());
        assertEquals(acme, directory.byName("acme").orElseThrow());
        assertEquals(Identification.Status.MISSING_KEY, directory.identify(null, null).status());
    }

    @Test
    void anIdentificationHasATenantExactlyWhenItIsNotRefused() {
        Tenant tenant = optional.anonymous();
        assertThrows(IllegalArgumentException.class,
                () -> new Identification(Identification.Status.UNKNOWN_KEY, tenant, Identification.Source.X_API_KEY));
        assertThrows(IllegalArgumentException.class,
                () -> new Identification(Identification.Status.TENANT, null, Identification.Source.X_API_KEY));
    }

    static String sha256(String key) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8)));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
