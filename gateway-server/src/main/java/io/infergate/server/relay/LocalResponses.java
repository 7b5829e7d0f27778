package io.infergate.server.relay;

import io.infergate.server.wire.GatewayHeaders;
import io.infergate.core.error.GatewayError;
import io.infergate.core.sse.StreamProtocol;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * Responses the gateway makes itself. Each names its cause in {@code X-Gateway-Error} and in a JSON
 * body, in the error shape of the route's dialect (its clients parse no other), that also says
 * which layer failed.
 */
public final class LocalResponses {

    private LocalResponses() {}

    public static FullHttpResponse error(ByteBufAllocator alloc, StreamProtocol dialect, GatewayError error, String message,
                                         String requestId) {
        String json = dialect.errorJson(error.cause(), message, error.status(), error.layer().tag());
        ByteBuf body = alloc.buffer(json.length());
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(
                HttpVersion.HTTP_1_1, HttpResponseStatus.valueOf(error.status()), body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(GatewayHeaders.X_GATEWAY_ERROR, error.cause());
        if (requestId != null) {
            response.headers().set(GatewayHeaders.X_REQUEST_ID, requestId);
        }
        return response;
    }
}
