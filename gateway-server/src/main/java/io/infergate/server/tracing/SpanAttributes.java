package io.infergate.server.tracing;

import io.opentelemetry.api.common.AttributeKey;

/**
 * The attribute names the gateway's spans carry: OpenTelemetry's GenAI, HTTP and server conventions
 * where they have one, {@code gateway.*} for what is the gateway's own.
 */
final class SpanAttributes {

    static final AttributeKey<String> GEN_AI_OPERATION = AttributeKey.stringKey("gen_ai.operation.name");
    static final AttributeKey<String> GEN_AI_REQUEST_MODEL = AttributeKey.stringKey("gen_ai.request.model");
    static final AttributeKey<String> GEN_AI_RESPONSE_MODEL = AttributeKey.stringKey("gen_ai.response.model");
    static final AttributeKey<Long> GEN_AI_REQUEST_MAX_TOKENS = AttributeKey.longKey("gen_ai.request.max_tokens");
    static final AttributeKey<Long> INPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.input_tokens");
    static final AttributeKey<Long> OUTPUT_TOKENS = AttributeKey.longKey("gen_ai.usage.output_tokens");
    static final AttributeKey<String> SERVER_ADDRESS = AttributeKey.stringKey("server.address");
    static final AttributeKey<Long> SERVER_PORT = AttributeKey.longKey("server.port");
    static final AttributeKey<String> HTTP_METHOD = AttributeKey.stringKey("http.request.method");
    static final AttributeKey<Long> HTTP_STATUS = AttributeKey.longKey("http.response.status_code");
    static final AttributeKey<String> URL_PATH = AttributeKey.stringKey("url.path");
    static final AttributeKey<String> ERROR_TYPE = AttributeKey.stringKey("error.type");

    static final AttributeKey<String> ROUTE = AttributeKey.stringKey("gateway.route");
    static final AttributeKey<String> TENANT = AttributeKey.stringKey("gateway.tenant");
    static final AttributeKey<String> TIER = AttributeKey.stringKey("gateway.tier");
    static final AttributeKey<String> OUTCOME = AttributeKey.stringKey("gateway.outcome");
    static final AttributeKey<String> REQUEST_ID = AttributeKey.stringKey("gateway.request_id");
    static final AttributeKey<String> UPSTREAM = AttributeKey.stringKey("gateway.upstream");
    static final AttributeKey<Boolean> FALLBACK = AttributeKey.booleanKey("gateway.fallback");
    static final AttributeKey<Long> ATTEMPTS_TOTAL = AttributeKey.longKey("gateway.attempts");
    static final AttributeKey<Long> HEARTBEATS = AttributeKey.longKey("gateway.heartbeats");

    static final AttributeKey<String> ENDPOINT = AttributeKey.stringKey("gateway.endpoint");
    static final AttributeKey<Long> ATTEMPT = AttributeKey.longKey("gateway.attempt");
    static final AttributeKey<String> ATTEMPT_REASON = AttributeKey.stringKey("gateway.attempt.reason");
    static final AttributeKey<String> ATTEMPT_AFTER = AttributeKey.stringKey("gateway.attempt.after");
    static final AttributeKey<String> BREAKER = AttributeKey.stringKey("gateway.breaker.state");

    static final AttributeKey<Long> QUEUE_DEPTH = AttributeKey.longKey("gateway.queue.depth");
    static final AttributeKey<Double> QUEUE_WAIT = AttributeKey.doubleKey("gateway.queue.wait_s");
    static final AttributeKey<Double> PREDICTED_WAIT = AttributeKey.doubleKey("gateway.queue.predicted_wait_s");
    static final AttributeKey<String> EVENT_CAUSE = AttributeKey.stringKey("gateway.cause");
    static final AttributeKey<String> EVENT_REASON = AttributeKey.stringKey("gateway.reason");
    static final AttributeKey<Double> HELD = AttributeKey.doubleKey("gateway.held_s");
    static final AttributeKey<Double> TTFT = AttributeKey.doubleKey("gen_ai.server.time_to_first_token");

    private SpanAttributes() {}
}
