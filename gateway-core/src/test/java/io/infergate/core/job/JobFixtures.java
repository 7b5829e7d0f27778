package io.infergate.core.job;

import io.infergate.core.error.GatewayError;

import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Jobs in every status, with moments one second apart, to start tests from. */
final class JobFixtures {

    static final long T0_MILLIS = 1_764_072_000_000L; // 2025-11-25T12:00:00Z
    static final Moment CREATED = moment(0);
    static final Moment STARTED = moment(1);
    static final Moment FINISHED = moment(2);
    static final JobResult OK = new JobResult(200, Map.of("X-Generated-Tokens", "3"), "application/json",
            "{\"generated_text\":\"hi\"}".getBytes(StandardCharsets.UTF_8));
    static final JobError TIMED_OUT = JobError.of(GatewayError.DEADLINE_EXCEEDED);

    private JobFixtures() {}

    /** {@code seconds} after {@link #T0_MILLIS}, on both clocks. */
    static Moment moment(long seconds) {
        return new Moment(T0_MILLIS + seconds * 1000, 5_000_000_000L + seconds * 1_000_000_000L);
    }

    static Job queued(String id, String tenant) {
        return Job.queued(id, tenant, "llama", "POST", "/llama/generate", CREATED, null);
    }

    static Job queued() {
        return queued("job_a", "acme");
    }

    static Job running() {
        return queued().start(STARTED).orElseThrow().attempt("primary").orElseThrow();
    }

    static Job succeeded() {
        return running().succeed(FINISHED, OK).orElseThrow();
    }

    static Job failed() {
        return running().fail(FINISHED, TIMED_OUT).orElseThrow();
    }

    static Job cancelled() {
        return running().cancel(FINISHED).orElseThrow();
    }

    static Job expired() {
        return succeeded().expire().orElseThrow();
    }

    static Job in(JobStatus status) {
        return switch (status) {
            case QUEUED -> queued();
            case RUNNING -> running();
            case SUCCEEDED -> succeeded();
            case FAILED -> failed();
            case CANCELLED -> cancelled();
            case EXPIRED -> expired();
        };
    }

    static JobResult body(int bytes) {
        return new JobResult(200, Map.of(), "text/plain", new byte[bytes]);
    }
}
