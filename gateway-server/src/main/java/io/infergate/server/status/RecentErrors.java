package io.infergate.server.status;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/** The last {@value #KEPT} errors the gateway made or relayed, newest first. */
final class RecentErrors {

    static final int KEPT = 50;

    /** One error as the page lists it; {@code upstream} null when none was tried. */
    record Error(long epochMillis, String requestId, String route, String cause, int status, String upstream) {}

    private final ArrayDeque<Error> errors = new ArrayDeque<>(KEPT);

    synchronized void add(Error error) {
        if (errors.size() == KEPT) {
            errors.removeLast();
        }
        errors.addFirst(error);
    }

    synchronized List<Error> newestFirst() {
        return new ArrayList<>(errors);
    }
}
