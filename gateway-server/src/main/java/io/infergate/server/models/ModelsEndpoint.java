package io.infergate.server.models;

import io.infergate.core.JsonStrings;
import io.infergate.core.error.GatewayError;
import io.infergate.core.route.ModelCatalog;
import io.infergate.core.route.Routing;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.tenant.CredentialHeaders;
import io.infergate.core.tenant.Identification;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.relay.LocalResponses;
import io.infergate.server.wire.GatewayHeaders;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaderValues;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;

import java.nio.charset.StandardCharsets;

/**
 * {@code GET /v1/models} (or {@code GET <prefix>/v1/models}) answered by the gateway, in OpenAI's list
 * format, when a route that matches by model serves under that {@code /v1/}: the models named in
 * those routes' {@code match.model}, only those of routes the caller's tenant may use. Anywhere else
 * the request is routed as any other.
 */
public final class ModelsEndpoint {

    private static final String SUFFIX = "/v1/models";

    private ModelsEndpoint() {}

    /** The answer to {@code request}; null when the gateway does not answer it itself. */
    public static FullHttpResponse answer(HttpRequest request, Routing routing, ByteBufAllocator alloc, String requestId) {
        ModelCatalog catalog = routing.routes().models();
        if (!catalog.any() || !HttpMethod.GET.equals(request.method())) {
            return null;
        }
        String path = ExchangeRecord.pathOf(request.uri());
        String base = path.substring(0, Math.max(0, path.length() - "models".length()));
        if (!path.endsWith(SUFFIX) || !catalog.answersUnder(base)) {
            return null;
        }
        Identification caller = routing.tenants().identify(request.headers().get(CredentialHeaders.AUTHORIZATION),
                request.headers().get(CredentialHeaders.X_API_KEY));
        if (caller.refused()) {
            return LocalResponses.error(alloc, StreamProtocol.OPENAI, GatewayError.UNAUTHORIZED, caller.refusal(), requestId);
        }
        StringBuilder json = new StringBuilder("{\"object\":\"list\",\"data\":[");
        for (ModelCatalog.Served model : catalog.servedUnder(base, caller.tenant()::allows)) {
            json.append(json.charAt(json.length() - 1) == '[' ? "" : ",")
                    .append("{\"id\":").append(JsonStrings.quote(model.id()))
                    .append(",\"object\":\"model\",\"created\":").append(catalog.created())
                    .append(",\"owned_by\":").append(JsonStrings.quote(model.ownedBy())).append('}');
        }
        json.append("]}");
        ByteBuf body = alloc.buffer(json.length());
        body.writeCharSequence(json, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK, body);
        response.headers()
                .set(HttpHeaderNames.CONTENT_TYPE, HttpHeaderValues.APPLICATION_JSON)
                .setInt(HttpHeaderNames.CONTENT_LENGTH, body.readableBytes())
                .set(GatewayHeaders.X_REQUEST_ID, requestId);
        return response;
    }
}
