package io.infergate.core.tenant;

import java.util.List;

/**
 * The request headers that carry a tenant's key, which must never reach an upstream (nor a log).
 * <p>
 * The server removes, before forwarding:
 * <ul>
 *   <li>{@value #X_API_KEY}, always, whatever it holds: the header is the gateway's own;</li>
 *   <li>{@value #AUTHORIZATION}, when the tenant's key came in it
 *       ({@link Identification.Source#AUTHORIZATION}). A client that sends its key in
 *       {@code X-API-Key} keeps its {@code Authorization} for an upstream without {@code auth}, as
 *       before tenants; an upstream with {@code auth} replaces it anyway.</li>
 * </ul>
 */
public final class CredentialHeaders {

    /** Header names in lower case, as HTTP/2 and Netty's case-insensitive lookups have them. */
    public static final String AUTHORIZATION = "authorization";
    public static final String X_API_KEY = "x-api-key";

    private static final String BEARER = "bearer";

    private CredentialHeaders() {}

    /** The headers to remove from a request identified so, in lower case. */
    public static List<String> toRemove(Identification identification) {
        return identification.source() == Identification.Source.AUTHORIZATION
                ? List.of(X_API_KEY, AUTHORIZATION)
                : List.of(X_API_KEY);
    }

    /**
     * The token of an {@code Authorization: Bearer <token>} value (the scheme in any case, RFC 9110
     * §11.1), or null for another scheme, no token, or no header.
     */
    public static String bearerToken(String authorization) {
        if (authorization == null) {
            return null;
        }
        String value = authorization.strip();
        if (value.length() <= BEARER.length() || !value.regionMatches(true, 0, BEARER, 0, BEARER.length())
                || !isSpace(value.charAt(BEARER.length()))) {
            return null;
        }
        String token = value.substring(BEARER.length()).strip();
        return token.isEmpty() ? null : token;
    }

    private static boolean isSpace(char c) {
        return c == ' ' || c == '\t';
    }
}
