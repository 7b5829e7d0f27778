package io.infergate.core.config;

import io.infergate.core.load.NamedLoadHeaders;

import java.time.Duration;

/**
 * Where a route's endpoints' load is read from, besides the ORCA and TGI headers, which are always
 * read. Streams carry no load headers after their head, so a route whose traffic is mostly streamed
 * needs {@code poll} to see its endpoints' load at all.
 *
 * @param headers    the response headers that carry GPU utilization and queue depth; both names null: none
 * @param poll       a periodic read of every endpoint's Prometheus page; null: no polling
 * @param staleAfter how long a report counts; past it admission goes by the gateway's own in-flight count alone
 */
public record LoadConfig(NamedLoadHeaders headers, Poll poll, Duration staleAfter) {

    public static final LoadConfig DEFAULTS =
            new LoadConfig(new NamedLoadHeaders(null, null), null, Duration.ofSeconds(5));

    /**
     * A {@code GET path} to every endpoint {@code every} so often, given up after {@code timeout}, so
     * that a slow endpoint delays no poll after it.
     */
    public record Poll(Duration every, String path, Duration timeout) {

        public static final String DEFAULT_PATH = "/metrics";
        public static final Duration DEFAULT_TIMEOUT = Duration.ofMillis(500);
    }
}
