package io.infergate.server.models;

import io.infergate.core.JsonStrings;
import io.infergate.core.error.GatewayError;
import io.infergate.core.route.ModelCatalog;
import io.infergate.core.route.Routing;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.tenant.CredentialHeaders;
import io.infergate.core.tenant.Identification;
import io.infergate.server.metrics.RequestPath;
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
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.List;

/**
 * {@code GET /v1/models} (or {@code GET <prefix>/v1/models}) answered by the gateway, in OpenAI's list
 * format, when a route that matches by model serves under that {@code /v1/}: the models named in
 * those routes' {@code match.model}, only those of routes the caller's tenant may use; and
 * {@code GET /v1/models/<id>}, one of them, or {@code 404 unknown_model}. Anywhere else the request
 * is routed as any other.
 */
public final class ModelsEndpoint {

    private static final String V1_MODELS = "/v1/models";

    private ModelsEndpoint() {}

    /** The answer to {@code request}; null when the gateway does not answer it itself. */
    public static FullHttpResponse answer(HttpRequest request, Routing routing, ByteBufAllocator alloc, String requestId) {
        ModelCatalog catalog = routing.routes().models();
        if (!catalog.any() || !HttpMethod.GET.equals(request.method())) {
            return null;
        }
        String path = RequestPath.of(request.uri());
        int at = path.indexOf(V1_MODELS);
        String rest = at < 0 ? "" : path.substring(at + V1_MODELS.length());
        String base = at < 0 ? "" : path.substring(0, at + "/v1/".length());
        if (at < 0 || !rest.isEmpty() && !rest.startsWith("/") || !catalog.answersUnder(base)) {
            return null;
        }
        Identification caller = routing.tenants().identify(request.headers().get(CredentialHeaders.AUTHORIZATION),
                request.headers().get(CredentialHeaders.X_API_KEY));
        if (caller.refused()) {
            return LocalResponses.error(alloc, StreamProtocol.OPENAI, GatewayError.UNAUTHORIZED, caller.refusal(), requestId);
        }
        List<ModelCatalog.Served> served = catalog.servedUnder(base, caller.tenant()::allows);
        if (rest.length() <= 1) {
            StringBuilder list = new StringBuilder("{\"object\":\"list\",\"data\":[");
            for (ModelCatalog.Served model : served) {
                list.append(list.charAt(list.length() - 1) == '[' ? "" : ",").append(object(model, catalog));
            }
            return ok(alloc, list.append("]}"), requestId);
        }
        String id = QueryStringDecoder.decodeComponent(rest.substring(1));
        for (ModelCatalog.Served model : served) {
            if (model.id().equals(id)) {
                return ok(alloc, object(model, catalog), requestId);
            }
        }
        return LocalResponses.error(alloc, StreamProtocol.OPENAI, GatewayError.UNKNOWN_MODEL, "the model "
                + JsonStrings.quote(id) + " is not served here", requestId);
    }

    private static CharSequence object(ModelCatalog.Served model, ModelCatalog catalog) {
        return "{\"id\":" + JsonStrings.quote(model.id()) + ",\"object\":\"model\",\"created\":" + catalog.created()
                + ",\"owned_by\":" + JsonStrings.quote(model.ownedBy()) + "}";
    }

    private static FullHttpResponse ok(ByteBufAllocator alloc, CharSequence json, String requestId) {
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
