package io.infergate.core.job;

import java.util.List;
import java.util.Optional;

/**
 * One page of a tenant's jobs, newest first.
 *
 * @param nextPageToken where the next page starts, opaque to the client; empty on the last page
 */
public record JobPage(List<Job> jobs, Optional<String> nextPageToken) {

    public JobPage {
        jobs = List.copyOf(jobs);
    }
}
