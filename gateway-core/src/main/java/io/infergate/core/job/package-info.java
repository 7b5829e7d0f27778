/**
 * Asynchronous jobs: a request submitted with {@code Prefer: respond-async} is answered at once with
 * a job id, and its result is collected later, by polling, long-polling or a signed webhook, so that
 * no client connection has to outlive a slow generation. This package holds the job's life cycle,
 * the store it is kept in and queued in (leases included), its JSON document, and the webhook's signature and allow-list. Pure
 * decisions on an injected clock; the server runs the jobs and delivers the webhooks.
 */
package io.infergate.core.job;
