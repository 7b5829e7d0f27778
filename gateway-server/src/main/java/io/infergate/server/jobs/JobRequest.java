package io.infergate.server.jobs;

import java.util.List;
import java.util.Map;

/**
 * A job's request as the client sent it, kept until the job runs: the method, path and query, the
 * headers that matter to the upstream (credentials, {@code Prefer} and the callback are not kept),
 * and the whole body.
 */
record JobRequest(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) {

    JobRequest {
        headers = List.copyOf(headers);
    }
}
