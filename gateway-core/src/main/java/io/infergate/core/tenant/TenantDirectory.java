package io.infergate.core.tenant;

import io.infergate.core.config.AuthConfig;
import io.infergate.core.config.GatewayConfig;
import io.infergate.core.config.TenantConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.function.BiPredicate;

/**
 * The tenants of one configuration, found by the API key a request presents: in {@code X-API-Key},
 * or else as {@code Authorization: Bearer <key>}. Built once per configuration and swapped whole on reload.
 * <p>
 * <b>No timing side channel.</b> The presented key is hashed with SHA-256, and the digest is then
 * compared with every tenant's digest by {@link MessageDigest#isEqual}, which takes the same time
 * wherever two digests differ, and the scan does not stop at a match. The time taken so depends on
 * the number of tenants only, never on the key's bytes, which needs no further argument. A hash map
 * keyed by the hex digest would also be safe in practice (its timing could only tell about the digest,
 * and a digest is useless without a key that hashes to it), but rests on that argument; the scan
 * costs a microsecond or so per thousand tenants, and the map is not worth the reasoning.
 * <p>
 * With no tenant configured and no key required, keys are not read at all: every request is
 * anonymous, and an {@code Authorization} header reaches upstreams without {@code auth} as it came.
 */
public final class TenantDirectory {

    private final boolean required;
    private final Tenant anonymous;
    private final List<Tenant> tenants;
    private final byte[][] digests; // digests[i] is tenants.get(i)'s key digest
    private final BiPredicate<byte[], byte[]> digestsEqual;

    public TenantDirectory(AuthConfig auth, List<TenantConfig> tenants) {
        this(auth, tenants, MessageDigest::isEqual);
    }

    /** With another comparison of digests, for tests that watch it. */
    TenantDirectory(AuthConfig auth, List<TenantConfig> configs, BiPredicate<byte[], byte[]> digestsEqual) {
        this.required = auth.required();
        this.anonymous = Tenant.anonymous(auth.anonymousTier(), auth.anonymousLimits());
        List<Tenant> list = new ArrayList<>(configs.size());
        this.digests = new byte[configs.size()][];
        for (int i = 0; i < configs.size(); i++) {
            list.add(Tenant.of(configs.get(i)));
            digests[i] = HexFormat.of().parseHex(configs.get(i).keySha256());
        }
        this.tenants = List.copyOf(list);
        this.digestsEqual = digestsEqual;
    }

    public static TenantDirectory of(GatewayConfig config) {
        return new TenantDirectory(config.auth(), config.tenants());
    }

    /**
     * Who a request is from.
     *
     * @param authorization the request's {@code Authorization} header, or null
     * @param xApiKey       its {@code X-API-Key} header, or null; it wins over {@code Authorization},
     *                      which may then be meant for an upstream
     */
    public Identification identify(String authorization, String xApiKey) {
        if (tenants.isEmpty() && !required) {
            return new Identification(Identification.Status.ANONYMOUS, anonymous, Identification.Source.NONE);
        }
        String key = xApiKey == null ? null : xApiKey.strip();
        Identification.Source source = Identification.Source.X_API_KEY;
        if (key == null || key.isEmpty()) {
            key = CredentialHeaders.bearerToken(authorization);
            source = Identification.Source.AUTHORIZATION;
        }
        if (key == null) {
            return required
                    ? new Identification(Identification.Status.MISSING_KEY, null, Identification.Source.NONE)
                    : new Identification(Identification.Status.ANONYMOUS, anonymous, Identification.Source.NONE);
        }
        Tenant tenant = find(sha256(key));
        return tenant == null
                ? new Identification(Identification.Status.UNKNOWN_KEY, null, source)
                : new Identification(Identification.Status.TENANT, tenant, source);
    }

    /**
     * Whether {@code value} is any tenant's key, compared as {@link #identify} compares: by digest,
     * with every tenant. For the values that must never leave the gateway, whatever header holds them.
     */
    public boolean isKey(String value) {
        return digests.length > 0 && find(sha256(value)) != null;
    }

    /** Whether any tenant has a key, so that a request's headers can hold one. */
    public boolean hasKeys() {
        return digests.length > 0;
    }

    /** Whether {@code tenant} may use the route named {@code routeName}; otherwise {@code 403 forbidden}. */
    public boolean allows(Tenant tenant, String routeName) {
        return tenant.allows(routeName);
    }

    /** The configured tenants, in the file's order; the anonymous one is not among them. */
    public List<Tenant> tenants() {
        return tenants;
    }

    public Tenant anonymous() {
        return anonymous;
    }

    public Optional<Tenant> byName(String name) {
        return tenants.stream().filter(t -> t.name().equals(name)).findFirst();
    }

    /** Compares with every digest, without stopping at a match (see the class comment). */
    private Tenant find(byte[] digest) {
        Tenant found = null;
        for (int i = 0; i < digests.length; i++) {
            if (digestsEqual.test(digests[i], digest) && found == null) {
                found = tenants.get(i);
            }
        }
        return found;
    }

    private static byte[] sha256(String key) {
        return SHA_256.get().digest(key.getBytes(StandardCharsets.UTF_8));
    }

    /** A digest per thread: getInstance costs as much as hashing a short key. */
    private static final ThreadLocal<MessageDigest> SHA_256 = ThreadLocal.withInitial(() -> {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every JDK has SHA-256", e);
        }
    });
}
