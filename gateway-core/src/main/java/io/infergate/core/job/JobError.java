package io.infergate.core.job;

import io.infergate.core.error.GatewayError;

/**
 * Why a job failed without an answer from an upstream: the gateway's cause, as in
 * {@code X-Gateway-Error} ({@code deadline_exceeded}, {@code connect_failed}, ...), and a message.
 */
public record JobError(String cause, String message) {

    public JobError {
        if (cause == null || cause.isEmpty() || message == null) {
            throw new IllegalArgumentException("a job error needs a cause and a message");
        }
    }

    public static JobError of(GatewayError error) {
        return new JobError(error.cause(), error.defaultMessage());
    }

    public static JobError of(GatewayError error, String message) {
        return new JobError(error.cause(), message);
    }
}
