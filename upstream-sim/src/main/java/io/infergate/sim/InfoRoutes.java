package io.infergate.sim;

import com.fasterxml.jackson.databind.node.ObjectNode;
import io.netty.handler.codec.http.EmptyHttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/** The read-only routes: {@code /health}, {@code /info}, {@code /v1/models}, {@code /metrics}. */
final class InfoRoutes {

    private static final int MAX_CLIENT_BATCH_SIZE = 4;

    private final SimContext sim;

    InfoRoutes(SimContext sim) {
        this.sim = sim;
    }

    /** Ready: 200 with an empty body, as TGI (the cold-start gate answers before this while loading). */
    void health(Exchange exchange) {
        exchange.respond(HttpResponseStatus.OK, null, "", EmptyHttpHeaders.INSTANCE);
    }

    void info(Exchange exchange) {
        SimConfig config = sim.config();
        ObjectNode info = Json.object();
        info.put("model_id", config.modelId());
        info.putNull("model_sha");
        info.put("model_pipeline_tag", "text-generation");
        info.put("max_concurrent_requests", config.maxBatch() + config.maxQueue());
        info.put("max_best_of", 2);
        info.put("max_stop_sequences", 4);
        info.put("max_input_tokens", config.maxTotalTokens() - 1);
        info.put("max_total_tokens", config.maxTotalTokens());
        info.put("validation_workers", 2);
        info.put("max_client_batch_size", MAX_CLIENT_BATCH_SIZE);
        info.put("router", "text-generation-router");
        info.put("version", WireFormat.VERSION);
        info.putNull("sha");
        info.putNull("docker_label");
        exchange.respondJson(HttpResponseStatus.OK, Json.write(info));
    }

    void models(Exchange exchange) {
        ObjectNode list = Json.object();
        list.put("object", "list");
        list.putArray("data").addObject()
                .put("id", sim.config().modelId())
                .put("object", "model")
                .put("created", 0)
                .put("owned_by", sim.config().modelId());
        exchange.respondJson(HttpResponseStatus.OK, Json.write(list));
    }

    void metrics(Exchange exchange) {
        exchange.respond(HttpResponseStatus.OK, MetricsPage.CONTENT_TYPE, sim.metrics().render(), EmptyHttpHeaders.INSTANCE);
    }
}
