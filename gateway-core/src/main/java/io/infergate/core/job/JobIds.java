package io.infergate.core.job;

import java.security.SecureRandom;
import java.util.Base64;
import java.util.regex.Pattern;

/**
 * Job ids: {@code job_} and 128 bits from {@link SecureRandom} in URL-safe base64 without padding
 * (22 characters). The id is the only thing standing between a job and anyone who guesses it within
 * its tenant, so it cannot be guessed; it also serves as the webhook's {@code webhook-id}, which the
 * signature scheme requires to be free of {@code .}.
 */
public final class JobIds {

    public static final String PREFIX = "job_";
    static final int RANDOM_BYTES = 16;

    private static final Pattern FORM = Pattern.compile(PREFIX + "[A-Za-z0-9_-]{22}");
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder ENCODER = Base64.getUrlEncoder().withoutPadding();

    private JobIds() {}

    public static String newId() {
        byte[] bits = new byte[RANDOM_BYTES];
        RANDOM.nextBytes(bits);
        return PREFIX + ENCODER.encodeToString(bits);
    }

    /** Whether {@code text} has the form of a job id, so a server can answer 404 without a lookup. */
    public static boolean isWellFormed(String text) {
        return text != null && FORM.matcher(text).matches();
    }
}
