package io.infergate.core.tenant;

/**
 * Who a request is from, and which header said so.
 *
 * @param tenant the tenant; null when the request is refused
 * @param source the header the key came from; {@link Source#NONE} when none was read
 */
public record Identification(Status status, Tenant tenant, Source source) {

    public enum Status {
        /** The key is a tenant's. */
        TENANT,
        /** No key, and none required: the anonymous tenant. */
        ANONYMOUS,
        /** A key that is no tenant's: {@code 401 unauthorized}, whether keys are required or not. */
        UNKNOWN_KEY,
        /** No key where one is required: {@code 401 unauthorized}. */
        MISSING_KEY
    }

    /** Where the key was read from; the server removes that header before forwarding (see {@link CredentialHeaders}). */
    public enum Source { NONE, AUTHORIZATION, X_API_KEY }

    public Identification {
        if (status == null || source == null || (tenant == null) != isRefusal(status)) {
            throw new IllegalArgumentException("a tenant exactly when not refused: " + status + ", " + tenant);
        }
    }

    /** Whether the request is to be answered {@code 401 unauthorized}. */
    public boolean refused() {
        return isRefusal(status);
    }

    /** What a refused client is told; null when the request is not refused. */
    public String refusal() {
        return switch (status) {
            case MISSING_KEY -> "an API key is required (Authorization: Bearer, or X-API-Key)";
            case UNKNOWN_KEY -> "unknown API key";
            case TENANT, ANONYMOUS -> null;
        };
    }

    private static boolean isRefusal(Status status) {
        return status == Status.UNKNOWN_KEY || status == Status.MISSING_KEY;
    }
}
