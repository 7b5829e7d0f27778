package io.infergate.server.exchange;

import io.netty.handler.codec.http.HttpContent;

/**
 * One client request as its connection drives it: an {@link Exchange}, or, at a path whose route the
 * body's model chooses, the {@link ModelIntake} that takes the body in first and then hands the
 * request to its exchange. Start one with {@link ClientRequests#start}.
 */
public interface ClientRequest {

    /** A piece of the client's request body; the request owns it from here. */
    void onRequestContent(HttpContent content);

    /** The client's read batch ended. */
    void onClientReadComplete();

    /** Whether more of the request body is welcome now. */
    boolean wantsRequestBody();

    /** Whether the whole request body is in. */
    boolean requestComplete();

    void onClientWritabilityChanged(boolean writable);

    /** The client went away. */
    void onClientClosed();

    /**
     * The drain timeout passed.
     *
     * @return whether the request ends itself (a stream's {@code shutdown} event, then its end);
     *         if not, its connection is closed at once
     */
    boolean onShutdownCut();
}
