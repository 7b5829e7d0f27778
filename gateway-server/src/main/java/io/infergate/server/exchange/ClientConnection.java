package io.infergate.server.exchange;

/** The client connection an exchange runs on, as far as the exchange needs it. */
public interface ClientConnection {

    /** Asks the client for more bytes when the connection's state can take them. */
    void readIfWanted();

    /** Response body bytes written to the client since the current request began. */
    long bodyBytesSent();

    /** The connection's one timer, which its exchanges use in turn. */
    ConnectionClock clock();

    /** The exchange is over; the connection is kept for the next request, or already closing. */
    void exchangeFinished(boolean keepAlive);
}
