package io.infergate.server.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * How a job's request, sent by the gateway to itself, is told from a client's: a header carrying a
 * secret made at start (never written anywhere) and the tenant the job belongs to. The gate takes it
 * off every request; only a request that carries the secret runs as that tenant's job, with the
 * job's deadline and without a second rate-limit charge.
 */
public final class JobPass {

    public static final String HEADER = "x-infergate-job";

    private final String secret;

    public JobPass() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        this.secret = HexFormat.of().formatHex(bytes);
    }

    /** The header value for a job of {@code tenant}. */
    String headerValue(String tenant) {
        return secret + " " + tenant;
    }

    /** The tenant a job request runs for; empty when the value does not carry the secret. */
    public Optional<String> tenantOf(String headerValue) {
        int space = headerValue.indexOf(' ');
        if (space < 0) {
            return Optional.empty();
        }
        byte[] presented = headerValue.substring(0, space).getBytes(StandardCharsets.US_ASCII);
        boolean valid = MessageDigest.isEqual(presented, secret.getBytes(StandardCharsets.US_ASCII));
        return valid ? Optional.of(headerValue.substring(space + 1)) : Optional.empty();
    }
}
