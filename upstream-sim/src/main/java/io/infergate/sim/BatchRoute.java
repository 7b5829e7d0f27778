package io.infergate.sim;

import com.fasterxml.jackson.databind.JsonNode;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.io.IOException;
import java.util.Map;

/**
 * {@code /_sim/batch}: GET shows the batch size, POST {@code {"maxBatch": n}} changes it while the
 * simulator runs, so a bench can halve an endpoint's capacity mid-run.
 */
final class BatchRoute {

    static final String PATH = "/_sim/batch";

    private final BatchScheduler scheduler;

    BatchRoute(BatchScheduler scheduler) {
        this.scheduler = scheduler;
    }

    void handle(Exchange exchange) {
        HttpMethod method = exchange.call().method();
        if (HttpMethod.POST.equals(method) || HttpMethod.PUT.equals(method)) {
            JsonNode size;
            try {
                size = Json.MAPPER.readTree(exchange.call().body()).path("maxBatch");
            } catch (IOException e) {
                exchange.respondText(HttpResponseStatus.BAD_REQUEST, "invalid batch: not JSON\n");
                return;
            }
            if (!size.canConvertToInt() || !size.isIntegralNumber() || size.asInt() < 1) {
                exchange.respondText(HttpResponseStatus.BAD_REQUEST, "invalid batch: maxBatch must be an integer >= 1\n");
                return;
            }
            scheduler.resize(size.asInt());
        } else if (!HttpMethod.GET.equals(method)) {
            exchange.respondText(HttpResponseStatus.METHOD_NOT_ALLOWED, "");
            return;
        }
        exchange.respondJson(HttpResponseStatus.OK, Json.write(Map.of("maxBatch", scheduler.maxBatch())));
    }
}
