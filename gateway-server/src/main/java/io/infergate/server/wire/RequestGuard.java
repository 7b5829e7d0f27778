package io.infergate.server.wire;

import io.infergate.core.error.GatewayError;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * Refuses what must never reach an upstream. The codec already rejects the framing attacks
 * (Content-Length with Transfer-Encoding, differing Content-Lengths, a final coding other than
 * chunked, bad chunk sizes); this turns its verdict into the right status, and adds the checks
 * the codec leaves to us.
 */
public final class RequestGuard {

    /** A refusal: the error and a message that says what was wrong. */
    public record Refusal(GatewayError error, String message) {}

    private RequestGuard() {}

    public static Refusal check(HttpRequest request, long maxBodyBytes) {
        DecoderResult result = request.decoderResult();
        if (result.isFailure()) {
            Throwable cause = result.cause();
            if (cause instanceof TooLongHttpHeaderException) {
                return new Refusal(GatewayError.HEADERS_TOO_LARGE, "request headers are too large");
            }
            if (cause instanceof TooLongHttpLineException) {
                return new Refusal(GatewayError.BAD_REQUEST, "request line is too long");
            }
            return new Refusal(GatewayError.BAD_REQUEST, "malformed request: " + cause.getMessage());
        }
        if (!request.uri().startsWith("/")) {
            return new Refusal(GatewayError.BAD_REQUEST, "request target must be an absolute path");
        }
        Iterator<Map.Entry<CharSequence, CharSequence>> headers = request.headers().iteratorCharSequence();
        while (headers.hasNext()) {
            if (hasLineBreak(headers.next().getValue())) {
                return new Refusal(GatewayError.BAD_REQUEST, "header value contains CR or LF");
            }
        }
        String named = HopByHopHeaders.protectedNamedInConnection(request.headers());
        if (named != null) {
            return new Refusal(GatewayError.BAD_REQUEST, "Connection may not name " + named);
        }
        return checkFraming(request, maxBodyBytes);
    }

    /**
     * The body's framing, by RFC 9112 §6 for HTTP/1.0 and 1.1 alike: one Content-Length of digits
     * only, never beside Transfer-Encoding, and no Transfer-Encoding at all from an HTTP/1.0
     * client. The codec checks most of this for HTTP/1.1 only; the gateway trusts no version.
     */
    private static Refusal checkFraming(HttpRequest request, long maxBodyBytes) {
        List<String> lengths = request.headers().getAll(HttpHeaderNames.CONTENT_LENGTH);
        boolean transferEncoding = request.headers().contains(HttpHeaderNames.TRANSFER_ENCODING);
        if (transferEncoding && request.protocolVersion().equals(HttpVersion.HTTP_1_0)) {
            return new Refusal(GatewayError.BAD_REQUEST, "Transfer-Encoding in an HTTP/1.0 request");
        }
        if (lengths.isEmpty()) {
            return null;
        }
        if (transferEncoding) {
            return new Refusal(GatewayError.BAD_REQUEST, "both Content-Length and Transfer-Encoding");
        }
        String length = lengths.get(0).trim();
        boolean repeated = request.headers() instanceof RequestHeadersFactory.RequestHeaders client
                && client.repeatedContentLength();
        if (repeated || lengths.size() > 1 || !isDigits(length)) {
            return new Refusal(GatewayError.BAD_REQUEST, "Content-Length must be one number");
        }
        if (length.length() > 18 || Long.parseLong(length) > maxBodyBytes) {
            return new Refusal(GatewayError.PAYLOAD_TOO_LARGE,
                    "request body of " + length + " bytes is over the limit of " + maxBodyBytes);
        }
        return null;
    }

    private static boolean isDigits(String value) {
        if (value.isEmpty()) {
            return false;
        }
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c < '0' || c > '9') {
                return false;
            }
        }
        return true;
    }

    private static boolean hasLineBreak(CharSequence value) {
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '\r' || c == '\n') {
                return true;
            }
        }
        return false;
    }
}
