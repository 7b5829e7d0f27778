package io.infergate.core.job;

import java.util.List;
import java.util.Map;

/**
 * A job's request as the client sent it, kept with the job until it has run, so that any gateway
 * sharing the store can run it: the method, path and query, the headers that matter to the upstream
 * (credentials, {@code Prefer} and the callback are not kept), and the whole body.
 */
public record JobRequest(String method, String target, List<Map.Entry<String, String>> headers, byte[] body) {

    public JobRequest {
        if (method == null || target == null || body == null) {
            throw new IllegalArgumentException("a job's request needs a method, a target and a body (maybe empty)");
        }
        headers = List.copyOf(headers);
    }
}
