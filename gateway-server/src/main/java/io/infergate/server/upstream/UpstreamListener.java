package io.infergate.server.upstream;

/** What an exchange hears from the upstream connection it holds. Called on the connection's event loop. */
public interface UpstreamListener {

    /** An {@code HttpResponse} or {@code HttpContent}; the listener owns it and must release it. */
    void onUpstreamMessage(Object message);

    /** The end of one socket read: time to flush what was relayed and decide whether to read more. */
    void onUpstreamReadComplete();

    /** Nothing by default: a request goes up whole, at once, so no listener waits for the upstream to drain. */
    default void onUpstreamWritabilityChanged(boolean writable) {
    }

    /** The connection closed or failed; {@code cause} is {@code null} for an orderly close. */
    void onUpstreamClosed(Throwable cause);
}
