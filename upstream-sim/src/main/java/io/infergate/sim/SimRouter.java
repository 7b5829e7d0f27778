package io.infergate.sim;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The route table: which handler answers which method and path, behind the cold-start gate. */
final class SimRouter {

    private final ColdStartGate gate;
    private final InfoRoutes info;
    private final GenerationRoute generation;
    private final FaultsRoute faults;
    private final BatchRoute batch;

    SimRouter(SimContext sim) {
        this.gate = new ColdStartGate(sim);
        this.info = new InfoRoutes(sim);
        this.generation = new GenerationRoute(sim);
        this.faults = new FaultsRoute(sim.faults());
        this.batch = new BatchRoute(sim.scheduler());
    }

    void route(Exchange exchange) {
        Call call = exchange.call();
        String path = call.path();
        if (path.equals(FaultsRoute.PATH)) {
            faults.handle(exchange);
            return;
        }
        if (path.equals(BatchRoute.PATH)) {
            batch.handle(exchange);
            return;
        }
        boolean post = HttpMethod.POST.equals(call.method());
        boolean get = HttpMethod.GET.equals(call.method()) || HttpMethod.HEAD.equals(call.method());
        Runnable handler = switch (path) {
            case "/" -> post ? () -> generation.handle(exchange, Api.COMPAT, null)
                    : get ? () -> info.health(exchange) : null;
            case "/generate" -> post ? () -> generation.handle(exchange, Api.GENERATE, false) : null;
            case "/generate_stream" -> post ? () -> generation.handle(exchange, Api.GENERATE, true) : null;
            case "/v1/chat/completions" -> post ? () -> generation.handle(exchange, Api.CHAT, null) : null;
            case "/v1/completions" -> post ? () -> generation.handle(exchange, Api.COMPLETIONS, null) : null;
            case "/health", "/ping" -> get ? () -> info.health(exchange) : null;
            case "/info" -> get ? () -> info.info(exchange) : null;
            case "/v1/models" -> get ? () -> info.models(exchange) : null;
            case "/metrics" -> get ? () -> info.metrics(exchange) : null;
            default -> () -> empty(exchange, HttpResponseStatus.NOT_FOUND);
        };
        if (handler == null) {
            empty(exchange, HttpResponseStatus.METHOD_NOT_ALLOWED);
            return;
        }
        boolean wakes = post || path.equals("/info") || path.equals("/v1/models");
        gate.admit(exchange, wakes, handler);
    }

    /** axum's bare 404 and 405. */
    private static void empty(Exchange exchange, HttpResponseStatus status) {
        exchange.respond(status, null, "", EmptyHttpHeaders.INSTANCE);
    }
}
