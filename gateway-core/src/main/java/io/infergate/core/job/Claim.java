package io.infergate.core.job;

/**
 * A job a runner took from the store's queue, with the request to run, under a lease it renews
 * ({@link JobStore#renew}); a job whose lease lapses goes back to the queue for another runner.
 */
public record Claim(Job job, JobRequest request) {}
