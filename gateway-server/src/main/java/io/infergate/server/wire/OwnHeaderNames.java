package io.infergate.server.wire;

import io.netty.handler.codec.DefaultHeaders.NameValidator;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

import java.util.Arrays;

/**
 * Validates a header name as Netty does, except the names the gateway writes itself on every
 * request: those constants are validated once, here, and known by identity afterwards (looked up
 * by length, so that a name read off the wire costs a compare or two before its validation). Netty
 * validated each of them again on every {@code set}, a dozen per request. Any other name, an equal
 * one built from bytes included, is validated as before.
 */
public final class OwnHeaderNames implements NameValidator<CharSequence> {

    private static final NameValidator<CharSequence> NETTY = DefaultHttpHeadersFactory.headersFactory().getNameValidator();
    private static final AsciiString[] OWN = {
            HttpHeaderNames.HOST, HttpHeaderNames.AUTHORIZATION, HttpHeaderNames.CONTENT_LENGTH,
            HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderNames.CONNECTION, HttpHeaderNames.CACHE_CONTROL,
            GatewayHeaders.X_REQUEST_ID, GatewayHeaders.X_FORWARDED_FOR, GatewayHeaders.X_FORWARDED_PROTO,
            GatewayHeaders.X_FORWARDED_HOST, GatewayHeaders.X_ACCEL_BUFFERING, GatewayHeaders.X_GATEWAY_UPSTREAM,
            GatewayHeaders.X_GATEWAY_FALLBACK, GatewayHeaders.SERVER_TIMING, GatewayHeaders.RATELIMIT_POLICY,
            GatewayHeaders.RATELIMIT, LoadSignals.FORMAT_REQUEST};

    public static final OwnHeaderNames VALIDATOR = new OwnHeaderNames();

    /** For an upstream's response headers, to which the gateway adds its own on the way to the client. */
    public static final HttpHeadersFactory RESPONSE_HEADERS =
            DefaultHttpHeadersFactory.headersFactory().withNameValidator(VALIDATOR);

    /** The own names of each length. */
    private final AsciiString[][] byLength;

    private OwnHeaderNames() {
        int longest = Arrays.stream(OWN).mapToInt(AsciiString::length).max().orElse(0);
        byLength = new AsciiString[longest + 1][0];
        for (AsciiString name : OWN) {
            NETTY.validateName(name);
            AsciiString[] same = byLength[name.length()];
            same = Arrays.copyOf(same, same.length + 1);
            same[same.length - 1] = name;
            byLength[name.length()] = same;
        }
    }

    @Override
    public void validateName(CharSequence name) {
        if (!(name instanceof AsciiString ascii && isOwn(ascii))) {
            NETTY.validateName(name);
        }
    }

    private boolean isOwn(AsciiString name) {
        int length = name.length();
        if (length < byLength.length) {
            for (AsciiString own : byLength[length]) {
                if (own == name) {
                    return true;
                }
            }
        }
        return false;
    }
}
