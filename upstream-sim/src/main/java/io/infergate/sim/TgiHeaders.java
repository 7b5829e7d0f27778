package io.infergate.sim;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;

/** The {@code x-*} headers TGI's router puts on its responses (server.rs), and the SSE response head. */
final class TgiHeaders {

    static final String COMPUTE_TYPE = "gpu+optimized";

    private TgiHeaders() {}

    /** Non-streaming: timings in milliseconds except {@code x-compute-time}, in seconds; completions lack it. */
    static HttpHeaders finished(GenerationRequest request, Outcome outcome, Timing timing) {
        HttpHeaders headers = new DefaultHttpHeaders();
        headers.set("x-compute-type", COMPUTE_TYPE);
        if (request.api() != Api.COMPLETIONS) {
            headers.set("x-compute-time", Double.toString(timing.totalSeconds()));
        }
        long perToken = outcome.generatedTokens() == 0 ? 0 : timing.inferenceMillis() / outcome.generatedTokens();
        headers.set("x-compute-characters", Integer.toString(request.computeCharacters()))
                .set("x-total-time", Long.toString(timing.totalMillis()))
                .set("x-validation-time", Long.toString(timing.validationMillis()))
                .set("x-queue-time", Long.toString(timing.queueMillis()))
                .set("x-inference-time", Long.toString(timing.inferenceMillis()))
                .set("x-time-per-token", Long.toString(perToken))
                .set("x-prompt-tokens", Integer.toString(outcome.promptTokens()))
                .set("x-generated-tokens", Integer.toString(outcome.generatedTokens()));
        return headers;
    }

    /** A stream's head: axum's SSE headers plus the two TGI knows before generating. */
    static HttpHeaders streamHead(GenerationRequest request) {
        return new DefaultHttpHeaders()
                .set(HttpHeaderNames.CONTENT_TYPE, "text/event-stream")
                .set(HttpHeaderNames.CACHE_CONTROL, "no-cache")
                .set("x-accel-buffering", "no")
                .set("x-compute-type", COMPUTE_TYPE)
                .set("x-compute-characters", Integer.toString(request.computeCharacters()));
    }
}
