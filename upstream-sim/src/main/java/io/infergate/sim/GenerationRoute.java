package io.infergate.sim;

import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The generation routes: parse, apply the request's faults, then run a {@link Generation}. */
final class GenerationRoute {

    private final SimContext sim;

    GenerationRoute(SimContext sim) {
        this.sim = sim;
    }

    /** @param streamRoute the route's fixed streaming mode, or null when the body decides */
    void handle(Exchange exchange, Api api, Boolean streamRoute) {
        Call call = exchange.call();
        sim.counters().received.increment();
        sim.coldStart().requestStarted();
        exchange.onEnd(sim.coldStart()::requestFinished);

        RequestParser.Parsed parsed = sim.parser().parse(api, streamRoute, call.header(HttpHeaderNames.CONTENT_TYPE), call.body());
        if (parsed instanceof RequestParser.Rejected rejected) {
            sim.counters().validationFailures.increment();
            boolean json = rejected.body().startsWith("{");
            exchange.respond(rejected.status(), json ? "application/json" : "text/plain; charset=utf-8",
                    rejected.body(), EmptyHttpHeaders.INSTANCE);
            return;
        }
        GenerationRequest request = ((RequestParser.Accepted) parsed).request();

        FaultPlan faults = sim.faults().next();
        if (faults.error()) {
            sim.counters().generationFailures.increment();
            exchange.respondJson(HttpResponseStatus.INTERNAL_SERVER_ERROR,
                    Json.error("Request failed during generation: injected fault", "generation"));
            return;
        }
        if (faults.hangBeforeHead()) {
            return; // the exchange stays open until the client leaves
        }
        if (faults.malformedHttp()) {
            exchange.malformed();
            return;
        }
        if (faults.trickle()) {
            exchange.trickle();
        }

        Delivery delivery = request.stream()
                ? new StreamDelivery(exchange, request, sim)
                : new BufferedDelivery(exchange, request, sim);
        if (!request.valid()) {
            sim.counters().validationFailures.increment();
            delivery.fail(HttpResponseStatus.UNPROCESSABLE_ENTITY, request.validationError(), "validation");
            return;
        }
        new Generation(sim, exchange, request, faults, delivery).begin();
    }
}
