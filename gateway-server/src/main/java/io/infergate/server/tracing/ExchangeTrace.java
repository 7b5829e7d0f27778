package io.infergate.server.tracing;

import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.infergate.server.metrics.ExchangeRecord;
import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.context.Scope;

/**
 * What an exchange tells its trace as it goes: the gate's decision, holds, each attempt, the stream's
 * first token and heartbeats, and its end. With tracing off every exchange holds {@link #OFF}, whose
 * methods do nothing: the request path then makes no span, reads no header and keeps no context.
 * Called on the client's event loop only.
 */
public interface ExchangeTrace {

    /** Tracing off: nothing is recorded. */
    ExchangeTrace OFF = new ExchangeTrace() {};

    /** Whether the span records: a sampled request, whose body is read for the model and the token limit. */
    default boolean recording() {
        return false;
    }

    /** The whole request body, read for {@code gen_ai.request.model} and {@code gen_ai.request.max_tokens}. */
    default void requestBody(byte[] body) {}

    /** The request waits in the route's queue, {@code depth} requests long with it. */
    default void queued(int depth) {}

    /** The gate let the request through after {@code queueWaitNanos} in the queue. */
    default void admitted(String tenant, String tier, long queueWaitNanos) {}

    /** The gate refused the request ({@code cause} as in {@code X-Gateway-Error}): shed, queue full, rate limited. */
    default void refused(String tenant, String cause, String reason, long predictedWaitNanos) {}

    /** The request was held {@code nanos} for {@code what}: {@code cold_start} or {@code breaker}. */
    default void held(String what, long nanos) {}

    /**
     * An attempt starts at {@code endpoint} of {@code upstream}: its span begins, and its context
     * goes up in {@code upstreamHeaders} ({@code traceparent}, {@code tracestate}, {@code baggage}).
     */
    default void attemptStarted(Upstream upstream, Endpoint endpoint, boolean onFallback, HttpHeaders upstreamHeaders) {}

    /** The attempt gave no answer the client gets: {@code cause}, and the endpoint's status when it answered (else 0). */
    default void attemptFailed(String cause, int status) {}

    /** The attempt is over; {@code status} is what the endpoint answered (0 when not known). */
    default void attemptEnded(int status) {}

    /** The first token reached the client, {@code nanos} after the request arrived. */
    default void firstToken(long nanos) {}

    /** A heartbeat went to the client; they are counted, not recorded one by one. */
    default void heartbeat() {}

    /** The exchange is over: the span takes what {@code record} says and ends. */
    default void finished(ExchangeRecord record, long generatedTokens) {}

    /** The trace id for the access log; null when none. */
    default String traceId() {
        return null;
    }

    /** A response head on its way to the client: one that sent {@code traceparent} hears which span answered it. */
    default void answering(HttpHeaders responseHeaders) {}

    /** This exchange's span as a {@code traceparent}, for a job's run to link to; null when none. */
    default String traceparent() {
        return null;
    }

    /** Makes the span current on this thread until closed, so a histogram can take it as its exemplar. */
    default Scope current() {
        return Scope.noop();
    }
}
