package io.infergate.core.error;

import java.util.Locale;

/**
 * How an exchange ended: well, by its client leaving, with an upstream's own error retold in its
 * stream, or with one of the gateway's errors. Its {@link #tag} is the {@code outcome} of the meters
 * and the access log.
 */
public sealed interface Ending permits Ending.Normal, GatewayError {

    /** The outcome label: {@code success}, {@code cancelled}, {@code upstream_error}, or an error's cause. */
    String tag();

    /** Whether the client's own doing ended it, so that the exchange says nothing about the endpoint. */
    boolean byClient();

    /** The endings that are not a gateway error. */
    enum Normal implements Ending {
        /** The response went out whole. */
        SUCCESS,
        /** The client went away before the response was whole. */
        CANCELLED,
        /** A stream carried the upstream's own error, retold to the client as its final event. */
        UPSTREAM_ERROR;

        private final String tag = name().toLowerCase(Locale.ROOT);

        @Override
        public String tag() {
            return tag;
        }

        @Override
        public boolean byClient() {
            return this == CANCELLED;
        }
    }
}
