package io.infergate.core.job;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.util.Base64;
import java.util.Map;

/**
 * Signs webhook deliveries as Standard Webhooks 1.0 does (https://www.standardwebhooks.com), so that
 * a receiver can check them with that project's libraries: {@code webhook-signature} is
 * {@code v1,} and the base64 HMAC-SHA256 of {@code id.timestamp.body}, keyed with the bytes of the
 * secret {@code whsec_<base64>}. The id stays the same across retries (receivers use it to
 * deduplicate); the timestamp is each attempt's, so receivers can refuse replays.
 * <p>
 * No message here ever contains the secret.
 */
public final class WebhookSigner {

    public static final String SECRET_PREFIX = "whsec_";
    public static final String ID_HEADER = "webhook-id";
    public static final String TIMESTAMP_HEADER = "webhook-timestamp";
    public static final String SIGNATURE_HEADER = "webhook-signature";

    /** The spec's bounds on a symmetric key: at least 192 bits, at most 512. */
    static final int MIN_KEY_BYTES = 24;
    static final int MAX_KEY_BYTES = 64;

    private static final String ALGORITHM = "HmacSHA256";
    private static final String EXPECTED = "expected: " + SECRET_PREFIX + " and the base64 of " + MIN_KEY_BYTES
            + " to " + MAX_KEY_BYTES + " random bytes, as in " + SECRET_PREFIX + "$(openssl rand -base64 32)";

    private final SecretKeySpec key;

    /** The three headers of one delivery attempt. */
    public record Headers(String id, String timestamp, String signature) {

        public Map<String, String> asMap() {
            return Map.of(ID_HEADER, id, TIMESTAMP_HEADER, timestamp, SIGNATURE_HEADER, signature);
        }
    }

    /** @throws IllegalArgumentException when the secret is not in the spec's form; the message does not show it */
    public WebhookSigner(String secret) {
        if (secret == null || !secret.startsWith(SECRET_PREFIX)) {
            throw new IllegalArgumentException("does not start with " + SECRET_PREFIX + " (" + EXPECTED + ")");
        }
        byte[] bytes;
        try {
            bytes = Base64.getDecoder().decode(secret.substring(SECRET_PREFIX.length()));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("is not base64 after " + SECRET_PREFIX + " (" + EXPECTED + ")");
        }
        if (bytes.length < MIN_KEY_BYTES || bytes.length > MAX_KEY_BYTES) {
            throw new IllegalArgumentException("holds " + bytes.length + " bytes (" + EXPECTED + ")");
        }
        this.key = new SecretKeySpec(bytes, ALGORITHM);
    }

    /**
     * The headers for one attempt to deliver {@code body}.
     *
     * @param msgId            the delivery's id, the same on every attempt; must not contain {@code .}
     * @param timestampSeconds the attempt's time, in seconds since the epoch
     */
    public Headers sign(String msgId, long timestampSeconds, byte[] body) {
        if (msgId == null || msgId.isEmpty() || msgId.indexOf('.') >= 0) {
            // A dot would let one id and timestamp pass for another: the signed content is dot-separated.
            throw new IllegalArgumentException("msgId: must be non-empty and free of '.'");
        }
        String timestamp = Long.toString(timestampSeconds);
        Mac mac;
        try {
            mac = Mac.getInstance(ALGORITHM);
            mac.init(key);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("every JDK has " + ALGORITHM, e);
        }
        mac.update((msgId + "." + timestamp + ".").getBytes(StandardCharsets.UTF_8));
        String signature = Base64.getEncoder().encodeToString(mac.doFinal(body));
        return new Headers(msgId, timestamp, "v1," + signature);
    }

    @Override
    public String toString() {
        return "WebhookSigner[secret not shown]";
    }
}
