package io.infergate.server.http;

import io.infergate.core.error.GatewayError;
import io.netty.handler.codec.DecoderResult;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.TooLongHttpHeaderException;
import io.netty.handler.codec.http.TooLongHttpLineException;

import java.util.Iterator;
import java.util.Map;

/**
 * Refuses what must never reach an upstream. The codec already rejects the framing attacks
 * (Content-Length with Transfer-Encoding, differing Content-Lengths, a final coding other than
 * chunked, bad chunk sizes); this turns its verdict into the right status, and adds the checks
 * the codec leaves to us.
 */
final class RequestGuard {

    /** A refusal: the error and a message that says what was wrong. */
    record Refusal(GatewayError error, String message) {}

    private RequestGuard() {}

    static Refusal check(HttpRequest request, long maxBodyBytes) {
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
        String contentLength = request.headers().get(HttpHeaderNames.CONTENT_LENGTH);
        if (contentLength != null && Long.parseLong(contentLength.trim()) > maxBodyBytes) {
            return new Refusal(GatewayError.PAYLOAD_TOO_LARGE,
                    "request body of " + contentLength.trim() + " bytes is over the limit of " + maxBodyBytes);
        }
        return null;
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
