package io.infergate.core.config;

/**
 * Credentials the gateway sends upstream. The token is read from the environment variable
 * {@code bearerEnv} when the config is loaded; it never comes from the file and never prints.
 */
public record UpstreamAuth(String bearerEnv, String bearerToken) {

    public static final UpstreamAuth NONE = new UpstreamAuth(null, null);

    public boolean present() {
        return bearerToken != null;
    }

    @Override
    public String toString() {
        return present() ? "UpstreamAuth[bearerEnv=" + bearerEnv + "]" : "UpstreamAuth[none]";
    }
}
