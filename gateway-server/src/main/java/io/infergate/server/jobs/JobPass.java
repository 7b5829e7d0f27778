package io.infergate.server.jobs;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.SecureRandom;
import java.util.HexFormat;
import java.util.Optional;

/**
 * How a job's request, sent by the gateway to itself, is told from a client's: a header carrying a
 * secret made at start (never written anywhere), the job's id and the tenant the job belongs to.
 * The gate takes it off every request; only a request that carries the secret runs as that
 * tenant's job, with the job's deadline and without a second rate-limit charge, and tells the job's
 * document of its attempts.
 */
public final class JobPass {

    public static final String HEADER = "x-infergate-job";

    private final String secret;

    public JobPass() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        this.secret = HexFormat.of().formatHex(bytes);
    }

    /** Which job a request runs, and for whom. */
    public record Claim(String jobId, String tenant) {}

    /** The header value for {@code job} (job ids have no spaces; a tenant's name comes last). */
    String headerValue(String jobId, String tenant) {
        return secret + " " + jobId + " " + tenant;
    }

    /** The job a request runs; empty when the value does not carry the secret. */
    public Optional<Claim> claimOf(String headerValue) {
        String[] parts = headerValue.split(" ", 3);
        if (parts.length < 3) {
            return Optional.empty();
        }
        byte[] presented = parts[0].getBytes(StandardCharsets.US_ASCII);
        boolean valid = MessageDigest.isEqual(presented, secret.getBytes(StandardCharsets.US_ASCII));
        return valid ? Optional.of(new Claim(parts[1], parts[2])) : Optional.empty();
    }
}
