package io.infergate.sim;

import io.netty.handler.codec.http.HttpResponseStatus;

/** How a generation reaches its client: event by event ({@link StreamDelivery}) or in one body ({@link BufferedDelivery}). */
interface Delivery {

    /** The {@code index}-th token (from 1); {@code last} is the outcome when it is the final one. */
    void token(int index, Token token, Outcome last, boolean flush);

    /** The invalid-JSON fault: a broken event (streams) or a broken body. */
    void invalidJson();

    /** The stall fault: nothing more goes out, not even keep-alive comments. */
    void stall();

    /** An error (overload, validation): a status and TGI's error body, or in-band events on a stream. */
    void fail(HttpResponseStatus status, String message, String type);

    /**
     * The generation ended normally. {@code releaseSlot} frees its batch slot; it runs after the load
     * report is taken (so the report counts this sequence) and before the client can see the end.
     */
    void complete(Outcome outcome, Timing timing, Runnable releaseSlot);
}
