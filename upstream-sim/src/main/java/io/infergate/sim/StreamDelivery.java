package io.infergate.sim;

import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

import java.time.Instant;

/** A generation as server-sent events: the head goes out at once, so every later error is in-band. */
final class StreamDelivery implements Delivery {

    private final GenerationRequest request;
    private final WireFormat format;
    private final SseWriter sse;
    private final boolean stampEvents;

    StreamDelivery(Exchange exchange, GenerationRequest request, SimContext sim) {
        this.request = request;
        this.format = WireFormat.of(request.api());
        this.sse = new SseWriter(exchange, sim.config().keepAliveInterval(), sim.config().ticker());
        this.stampEvents = sim.config().stampEvents();
        HttpHeaders head = TgiHeaders.streamHead(request);
        sim.load().addHeaders(exchange.call().headers(), head, true);
        sse.open(head);
    }

    @Override
    public void token(int index, Token token, Outcome last, boolean flush) {
        String event = format.tokenEvent(request, token, index, last);
        sse.event(stampEvents ? stamped(event) : event, flush);
    }

    /** The event's JSON object with the send time first: {@code {"sent_us":..., ...}}. */
    private static String stamped(String event) {
        Instant now = Instant.now();
        return "{\"sent_us\":" + (now.getEpochSecond() * 1_000_000 + now.getNano() / 1_000) + "," + event.substring(1);
    }

    @Override
    public void invalidJson() {
        sse.raw("data: {not json\n\n");
    }

    @Override
    public void stall() {
        sse.flush();
        sse.silence();
    }

    @Override
    public void fail(HttpResponseStatus status, String message, String type) {
        for (String event : format.streamError(message, type)) {
            sse.event(event, false);
        }
        sse.flush();
        sse.close();
    }

    @Override
    public void complete(Outcome outcome, Timing timing, Runnable releaseSlot) {
        releaseSlot.run();
        for (String event : format.trailer(request, outcome)) {
            sse.event(event, false);
        }
        sse.flush();
        sse.close();
    }
}
