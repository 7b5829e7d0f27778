package io.infergate.server.http;

/** What a connection's own clocks hear from the requests it carries. */
interface RequestClock {

    /** A stream of an HTTP/2 connection: the connection counts its streams itself. */
    RequestClock NONE = new RequestClock() {
        @Override
        public void requestStarted() {}

        @Override
        public void requestFinished() {}
    };

    /** A request head is complete: no header timeout applies until the next. */
    void requestStarted();

    /** The request is answered: the connection is idle from now. */
    void requestFinished();
}
