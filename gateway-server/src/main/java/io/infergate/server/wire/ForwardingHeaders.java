package io.infergate.server.wire;

import io.infergate.core.config.EndpointUrl;
import io.infergate.core.config.UpstreamAuth;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpVersion;

/** The two header rewrites of a proxied exchange, each done in place on the message that crosses. */
public final class ForwardingHeaders {

    /** What the client's request said about how it wants its response framed. */
    public record ClientFraming(HttpVersion version, boolean keepAlive, boolean headRequest) {}

    private ForwardingHeaders() {}

    /**
     * The client's request head becomes the upstream's, the part every attempt shares: hop-by-hop
     * headers out, forwarding headers in.
     */
    public static void toUpstream(HttpRequest request, String requestId, ClientOrigin origin) {
        HttpHeaders headers = request.headers();
        String originalHost = headers.get(HttpHeaderNames.HOST);
        HopByHopHeaders.strip(headers);
        // The client's framing stays behind: each attempt frames what it actually sends (bodyLength).
        headers.remove(HttpHeaderNames.CONTENT_LENGTH);
        request.setProtocolVersion(HttpVersion.HTTP_1_1);
        String forwardedFor = headers.get(GatewayHeaders.X_FORWARDED_FOR);
        headers.set(GatewayHeaders.X_FORWARDED_FOR,
                forwardedFor == null ? origin.address() : forwardedFor + ", " + origin.address());
        headers.set(GatewayHeaders.X_FORWARDED_PROTO, origin.scheme());
        if (originalHost != null) {
            headers.set(GatewayHeaders.X_FORWARDED_HOST, originalHost);
        }
        headers.set(GatewayHeaders.X_REQUEST_ID, requestId);
        headers.set(LoadSignals.FORMAT_REQUEST, LoadSignals.TEXT);
    }

    /**
     * Addresses the request to one endpoint, for one attempt: its path, its {@code Host}, and its
     * upstream's credentials, or else the client's own {@code Authorization}.
     */
    public static void address(HttpRequest request, String target, EndpointUrl endpoint, UpstreamAuth auth,
                        String clientAuthorization) {
        request.setUri(target);
        HttpHeaders headers = request.headers();
        headers.set(HttpHeaderNames.HOST, endpoint.hostHeader());
        if (auth.present()) {
            headers.set(HttpHeaderNames.AUTHORIZATION, "Bearer " + auth.bearerToken());
        } else if (clientAuthorization != null) {
            headers.set(HttpHeaderNames.AUTHORIZATION, clientAuthorization);
        } else {
            headers.remove(HttpHeaderNames.AUTHORIZATION);
        }
    }

    /**
     * A response head becomes the client's: hop-by-hop headers out, framing the client can read.
     *
     * @return whether the client connection must close after this response
     */
    public static boolean toClient(HttpResponse head, String requestId, boolean eventStream, ClientFraming client,
                            boolean draining) {
        HttpHeaders headers = head.headers();
        HopByHopHeaders.strip(headers);
        head.setProtocolVersion(HttpVersion.HTTP_1_1);
        headers.set(GatewayHeaders.X_REQUEST_ID, requestId);
        if (eventStream) {
            // Nothing on the way may buffer or cache it, and its length is never known.
            headers.set(HttpHeaderNames.CACHE_CONTROL, HttpHeaderValues.NO_CACHE)
                    .set(GatewayHeaders.X_ACCEL_BUFFERING, "no")
                    .remove(HttpHeaderNames.CONTENT_LENGTH);
        }
        boolean close = !client.keepAlive() || draining;
        int status = head.status().code();
        boolean bodyless = client.headRequest() || status == 204 || status == 304;
        if (!bodyless && !headers.contains(HttpHeaderNames.CONTENT_LENGTH)) {
            if (client.version().equals(HttpVersion.HTTP_1_0)) {
                // HTTP/1.0 knows no chunks: the end of the connection ends the body.
                close = true;
            } else {
                headers.set(HttpHeaderNames.TRANSFER_ENCODING, HttpHeaderValues.CHUNKED);
            }
        }
        if (close) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.CLOSE);
        } else if (client.version().equals(HttpVersion.HTTP_1_0)) {
            headers.set(HttpHeaderNames.CONNECTION, HttpHeaderValues.KEEP_ALIVE);
        }
        return close;
    }

    /**
     * Frames the body an attempt sends by its length, which the gateway knows since it sends the
     * body whole; a request without a body gets no framing headers at all.
     */
    public static void bodyLength(HttpRequest request, long length, boolean hasBody) {
        if (hasBody) {
            request.headers().set(HttpHeaderNames.CONTENT_LENGTH, length);
        } else {
            request.headers().remove(HttpHeaderNames.CONTENT_LENGTH);
        }
    }
}
