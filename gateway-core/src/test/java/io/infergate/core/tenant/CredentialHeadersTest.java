package io.infergate.core.tenant;

import io.infergate.core.admission.Tier;
import io.infergate.core.config.AuthConfig;
import io.infergate.core.config.RateLimits;
import io.infergate.core.config.TenantConfig;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;

class CredentialHeadersTest {

    private static final String KEY = "acme-key-0123456789";
    private static final TenantDirectory DIRECTORY = new TenantDirectory(AuthConfig.DEFAULTS,
            List.of(new TenantConfig("acme", TenantDirectoryTest.sha256(KEY), null, Tier.PREMIUM, RateLimits.NONE, null)));

    @Test
    void aKeyInAuthorizationTakesAuthorizationOffTheForwardedRequest() {
        assertEquals(List.of("x-api-key", "authorization"),
                CredentialHeaders.toRemove(DIRECTORY.identify("Bearer " + KEY, null)));
    }

    @Test
    void anUnknownBearerKeyIsTakenOffAsWellThoughTheRequestIsRefused() {
        assertEquals(List.of("x-api-key", "authorization"),
                CredentialHeaders.toRemove(DIRECTORY.identify("Bearer guessed-key-123456", null)));
    }

    @Test
    void aKeyInXApiKeyLeavesAuthorizationForTheUpstream() {
        assertEquals(List.of("x-api-key"), CredentialHeaders.toRemove(DIRECTORY.identify("Bearer hf_upstream", KEY)));
    }

    @Test
    void xApiKeyNeverReachesAnUpstreamEvenFromAnAnonymousRequest() {
        TenantDirectory open = new TenantDirectory(AuthConfig.DEFAULTS, List.of());

        assertEquals(List.of("x-api-key"), CredentialHeaders.toRemove(open.identify("Bearer hf_upstream", "whatever")));
    }

    @Test
    void onlyABearerValueHasAToken() {
        assertEquals("abc", CredentialHeaders.bearerToken("Bearer abc"));
        assertEquals("abc", CredentialHeaders.bearerToken("bEaReR  abc "));
        assertNull(CredentialHeaders.bearerToken(null));
        assertNull(CredentialHeaders.bearerToken("Basic abc"));
        assertNull(CredentialHeaders.bearerToken("Bearer"));
        assertNull(CredentialHeaders.bearerToken("Bearer "));
        assertNull(CredentialHeaders.bearerToken("Bearerabc"));
    }
}
