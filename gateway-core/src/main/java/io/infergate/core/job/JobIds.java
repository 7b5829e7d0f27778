package io.infergate.core.job;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.Arrays;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Job ids, and whether this gateway issued one. An id is {@code job_} and, in URL-safe base64 without
 * padding (30 characters), 128 bits from {@link SecureRandom} and a 48-bit tag: the HMAC-SHA256 of
 * those bits and the owning tenant's name under the id key. The random bits stand between a job and
 * anyone who guesses its id within its tenant; the tag lets the gateway tell an id it issued to that
 * tenant (and no longer knows: dropped, lost in a restart, held by another instance) from a typo or
 * another tenant's id, without storing anything. The id also serves as the webhook's
 * {@code webhook-id}, which the signature scheme requires to be free of {@code .}.
 */
public final class JobIds {

    public static final String PREFIX = "job_";
    static final int RANDOM_BYTES = 16;
    static final int TAG_BYTES = 6;
    /** The fewest characters an id key from the configuration may have. */
    public static final int MIN_KEY_CHARS = 32;

    private static final Pattern FORM = Pattern.compile(PREFIX + "[A-Za-z0-9_-]{30}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();
    private static final String HMAC = "HmacSHA256";

    private final SecretKeySpec key;

    private JobIds(byte[] key) {
        this.key = new SecretKeySpec(key, HMAC);
    }

    /** Ids tagged with a key from the configuration: every instance with the same key, before and after a restart, knows them as its own. */
    public static JobIds withKey(String key) {
        if (key.length() < MIN_KEY_CHARS) {
            throw new IllegalArgumentException("an id key needs at least " + MIN_KEY_CHARS + " characters");
        }
        return new JobIds(key.getBytes(StandardCharsets.UTF_8));
    }

    /** Ids tagged with a key made now: known as issued only until this process ends. */
    public static JobIds withRandomKey() {
        byte[] key = new byte[32];
        RANDOM.nextBytes(key);
        return new JobIds(key);
    }

    /** A new id for a job of {@code tenant}. */
    public String newId(String tenant) {
        byte[] bits = new byte[RANDOM_BYTES + TAG_BYTES];
        RANDOM.nextBytes(bits);
        System.arraycopy(tag(bits, tenant), 0, bits, RANDOM_BYTES, TAG_BYTES);
        return PREFIX + ENCODER.encodeToString(bits);
    }

    /** Whether {@code id} is one this gateway (or one with its key) issued to {@code tenant}. */
    public boolean issued(String id, String tenant) {
        if (!isWellFormed(id)) {
            return false;
        }
        byte[] bits = Base64.getUrlDecoder().decode(id.substring(PREFIX.length()));
        byte[] tag = Arrays.copyOfRange(bits, RANDOM_BYTES, RANDOM_BYTES + TAG_BYTES);
        return MessageDigest.isEqual(tag, Arrays.copyOf(tag(bits, tenant), TAG_BYTES));
    }

    /** Whether {@code text} has the form of a job id, so a server can answer 404 without a lookup. */
    public static boolean isWellFormed(String text) {
        return text != null && FORM.matcher(text).matches();
    }

    private byte[] tag(byte[] bits, String tenant) {
        try {
            Mac mac = Mac.getInstance(HMAC);
            mac.init(key);
            mac.update(bits, 0, RANDOM_BYTES);
            return mac.doFinal(tenant.getBytes(StandardCharsets.UTF_8));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("HmacSHA256 is part of every JDK", e);
        }
    }
}
