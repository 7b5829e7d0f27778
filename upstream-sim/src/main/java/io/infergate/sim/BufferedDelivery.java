package io.infergate.sim;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpResponseStatus;

/** A generation answered in one JSON body, with TGI's timing headers. */
final class BufferedDelivery implements Delivery {

    private final Exchange exchange;
    private final GenerationRequest request;
    private final SimContext sim;
    private boolean corrupt;

    BufferedDelivery(Exchange exchange, GenerationRequest request, SimContext sim) {
        this.exchange = exchange;
        this.request = request;
        this.sim = sim;
    }

    @Override
    public void token(int index, Token token, Outcome last, boolean flush) {
        // The body is written whole at the end.
    }

    @Override
    public void invalidJson() {
        corrupt = true;
    }

    @Override
    public void stall() {
        // Nothing was going to be sent before the end anyway.
    }

    @Override
    public void fail(HttpResponseStatus status, String message, String type) {
        HttpHeaders headers = new DefaultHttpHeaders();
        sim.load().addHeaders(exchange.call().headers(), headers, false);
        exchange.respond(status, "application/json", Json.error(message, type), headers);
    }

    @Override
    public void complete(Outcome outcome, Timing timing, Runnable releaseSlot) {
        HttpHeaders headers = TgiHeaders.finished(request, outcome, timing);
        sim.load().addHeaders(exchange.call().headers(), headers, false);
        releaseSlot.run();
        String body = corrupt ? "{not json" : WireFormat.of(request.api()).body(request, outcome);
        exchange.respond(HttpResponseStatus.OK, "application/json", body, headers);
    }
}
