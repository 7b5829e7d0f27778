package io.infergate.server.wire;

import io.infergate.core.tenant.CredentialHeaders;
import io.infergate.core.timeout.ClientDeadline;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.util.AsciiString;

import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Headers that describe one connection, not the message (RFC 9110 §7.6.1): they never cross the
 * gateway in either direction. {@code Connection} may name more of them, but never one that frames,
 * routes or identifies the message, or that the gateway itself sets or reads: dropping those would
 * let a client smuggle a body past the gateway as a request of its own, or hide a header from it.
 */
final class HopByHopHeaders {

    private static final List<AsciiString> ALWAYS = List.of(
            HttpHeaderNames.CONNECTION,
            HttpHeaderNames.KEEP_ALIVE,
            HttpHeaderNames.TE,
            HttpHeaderNames.TRAILER,
            HttpHeaderNames.TRANSFER_ENCODING,
            HttpHeaderNames.UPGRADE,
            HttpHeaderNames.PROXY_AUTHORIZATION,
            HttpHeaderNames.PROXY_AUTHENTICATE,
            AsciiString.cached("proxy-connection"));

    /** Lower-case names that {@code Connection} may not name: a request that tries is refused. */
    private static final Set<String> PROTECTED = Set.of(
            "content-length", "transfer-encoding", "host",
            CredentialHeaders.AUTHORIZATION, CredentialHeaders.X_API_KEY,
            "x-request-id", "x-forwarded-for", "x-forwarded-proto", "x-forwarded-host", "forwarded",
            ClientDeadline.HEADER, "prefer", "x-callback-url", "x-infergate-job",
            "expect", "accept", "content-type", "content-encoding", "endpoint-load-metrics-format",
            "x-scale-up-timeout");

    private HopByHopHeaders() {}

    /** The first protected header that {@code Connection} names, in lower case, or null when none is. */
    static String protectedNamedInConnection(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String named : connection.split(",")) {
                String name = named.trim().toLowerCase(Locale.ROOT);
                if (PROTECTED.contains(name)) {
                    return name;
                }
            }
        }
        return null;
    }

    static void strip(HttpHeaders headers) {
        for (String connection : headers.getAll(HttpHeaderNames.CONNECTION)) {
            for (String named : connection.split(",")) {
                String name = named.trim().toLowerCase(Locale.ROOT);
                // An upstream's response gets no refusal, but it cannot unframe itself either.
                if (!name.isEmpty() && !PROTECTED.contains(name)) {
                    headers.remove(name);
                }
            }
        }
        for (AsciiString name : ALWAYS) {
            headers.remove(name);
        }
    }
}
