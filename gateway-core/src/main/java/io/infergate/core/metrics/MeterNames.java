package io.infergate.core.metrics;

import java.util.Set;

/**
 * The names of the gateway's meters as Prometheus scrapes them: the contract between the code that
 * registers the meters and the alert rules and dashboard shipped in {@code config/}
 * ({@code ShippedMonitoringTest} checks that those name nothing else).
 *
 * <p>Micrometer's Prometheus registry keeps a name that is already in Prometheus form as it is
 * (a Timer called {@code gateway_request_duration_seconds} is scraped under that name, a Counter
 * called {@code gateway_requests_total} too), so these constants can be given to the meter builders
 * directly. A histogram adds {@code _bucket}, {@code _sum} and {@code _count} series, a Timer also
 * {@code _max}.
 *
 * <p>Labels come from a fixed set: {@code route}, {@code upstream}, {@code endpoint}, {@code tier},
 * {@code cause}, {@code status}, {@code outcome}; {@link #UPSTREAM_LOAD} adds {@code signal} and
 * {@link #ROUTE_TIMEOUT} adds {@code kind}, {@link #CONFIG_LOADED} {@code sha256}, the store's meters
 * {@code op}. Each constant's comment gives its labels.
 *
 * <p>The jobs' meters ({@link #JOB_DURATION}, {@link #JOBS}, {@link #WEBHOOK_DELIVERIES},
 * {@link #JOBS_QUEUED}) are registered when jobs are enabled ({@code jobs.enabled}, the default); the
 * store's ({@code gateway_store_*}) when {@code store.redis} is set.
 */
public final class MeterNames {

    // Timers, histograms in seconds.

    /** Request head to end of response; {@code route, upstream, status, outcome}. */
    public static final String REQUEST_DURATION = "gateway_request_duration_seconds";
    /** Streams: request to the first upstream event relayed; {@code route, upstream}. */
    public static final String TIME_TO_FIRST_TOKEN = "gateway_time_to_first_token_seconds";
    /** Streams: gap between two relayed upstream events; {@code route}. */
    public static final String STREAM_INTER_EVENT = "gateway_stream_inter_event_seconds";
    /** Time a request waited for admission; {@code route, tier}. */
    public static final String QUEUE_WAIT = "gateway_queue_wait_seconds";
    /** Opening a connection to an endpoint (TCP and TLS); {@code upstream, endpoint}. */
    public static final String UPSTREAM_CONNECT = "gateway_upstream_connect_seconds";
    /** Jobs from submission to their end; no labels. */
    public static final String JOB_DURATION = "gateway_job_duration_seconds";
    /** Round trips to the shared store ({@code store.redis}), failed ones included; {@code op}. */
    public static final String STORE_COMMAND = "gateway_store_command_seconds";

    // Counters.

    /** Requests answered; {@code route, status, outcome}. */
    public static final String REQUESTS = "gateway_requests_total";
    /** Requests refused by admission control; {@code route, cause, tier}. */
    public static final String SHED = "gateway_shed_total";
    /** Requests that moved on to a fallback upstream; {@code route, upstream}. */
    public static final String FALLBACK = "gateway_fallback_total";
    /** Attempts made again on the same upstream; {@code route, upstream}. */
    public static final String RETRIES = "gateway_retries_total";
    /** Cold starts of an endpoint seen by the gateway; {@code endpoint}. */
    public static final String COLD_STARTS = "gateway_cold_starts_total";
    /** Keep-alive comments written to streaming clients; {@code route}. */
    public static final String HEARTBEATS = "gateway_heartbeats_total";
    /** Streams whose client went away; {@code route}. */
    public static final String STREAM_CANCELLED = "gateway_stream_cancelled_total";
    /** Streams the upstream ended without its protocol's final event; {@code route}. */
    public static final String STREAM_TRUNCATED = "gateway_stream_truncated_total";
    /**
     * Streams that broke after content reached the client; {@code route, outcome}: {@code continued},
     * {@code regenerated}, {@code diverged}, {@code failed} or {@code disarmed}.
     */
    public static final String STREAM_RECOVERIES = "gateway_stream_recoveries_total";
    /** Requests refused by a rate limit; {@code route, tier}. */
    public static final String RATE_LIMITED = "gateway_rate_limited_total";
    /** Access log lines lost: its queue was full (the output fell behind) or the output refused them; no labels. */
    public static final String ACCESS_LOG_DROPPED = "gateway_access_log_dropped_total";
    /**
     * Jobs submitted, and how they ended; {@code status}: {@code submitted}, then {@code succeeded},
     * {@code failed} or {@code cancelled} (a job's status, not an HTTP one).
     */
    public static final String JOBS = "gateway_jobs_total";
    /** Webhook delivery attempts of finished jobs; {@code outcome}: {@code delivered} or {@code failed}. */
    public static final String WEBHOOK_DELIVERIES = "gateway_webhook_deliveries_total";
    /** Config reloads; {@code outcome}: {@code applied}, {@code unchanged} or {@code refused}. */
    public static final String CONFIG_RELOADS = "gateway_config_reloads_total";
    /** Commands to the shared store that failed or timed out; {@code op}. */
    public static final String STORE_ERRORS = "gateway_store_errors_total";
    /**
     * Rate-limit decisions made while the shared store could not be reached, as {@code store.onUnavailable}
     * says; {@code outcome}: {@code allowed} or {@code denied}.
     */
    public static final String STORE_UNAVAILABLE = "gateway_store_unavailable_total";
    /** Running jobs whose gateway stopped renewing their lease, put back in their queue to be run again; no labels. */
    public static final String STORE_LEASES_TAKEN_OVER = "gateway_store_leases_taken_over_total";
    /** Spans the trace collector took ({@code tracing}); no labels. */
    public static final String TRACE_SPANS_EXPORTED = "gateway_trace_spans_exported_total";
    /** Spans lost on their way to the collector; {@code cause}: {@code queue_full} or {@code export_failed}. */
    public static final String TRACE_SPANS_DROPPED = "gateway_trace_spans_dropped_total";

    // Gauges.

    /** Requests in progress; {@code route}. */
    public static final String INFLIGHT_REQUESTS = "gateway_inflight_requests";
    /** Requests waiting for admission; {@code route}. */
    public static final String QUEUE_DEPTH = "gateway_queue_depth";
    /** An endpoint's circuit breaker: 0 closed, 1 half-open, 2 open; {@code endpoint}. */
    public static final String BREAKER_STATE = "gateway_breaker_state";
    /** 1 while an endpoint is starting (cold start), else 0; {@code endpoint}. */
    public static final String ENDPOINT_WARMING = "gateway_endpoint_warming";
    /** A load signal an endpoint reports; {@code endpoint, signal}. */
    public static final String UPSTREAM_LOAD = "gateway_upstream_load";
    /** Requests a route sends to one endpoint at once, learned or fixed; {@code route, upstream, endpoint}. */
    public static final String ENDPOINT_CONCURRENCY_LIMIT = "gateway_endpoint_concurrency_limit";
    /** A route's configured timeout in seconds; {@code route, kind} with kind {@code total} or {@code firstByte}. */
    public static final String ROUTE_TIMEOUT = "gateway_route_timeout_seconds";
    /** Jobs waiting to run; no labels. */
    public static final String JOBS_QUEUED = "gateway_jobs_queued";
    /** When the config being served was loaded, in seconds since the epoch; {@code sha256}: its file's hash. */
    public static final String CONFIG_LOADED = "gateway_config_loaded_timestamp_seconds";
    /** 1 while the shared store answers and every connection to it is connected, else 0; no labels. */
    public static final String STORE_UP = "gateway_store_up";

    private static final Set<String> ALL = Set.of(
            REQUEST_DURATION, TIME_TO_FIRST_TOKEN, STREAM_INTER_EVENT, QUEUE_WAIT, UPSTREAM_CONNECT, JOB_DURATION,
            REQUESTS, SHED, FALLBACK, RETRIES, COLD_STARTS, HEARTBEATS, STREAM_CANCELLED, STREAM_TRUNCATED,
            STREAM_RECOVERIES, RATE_LIMITED, ACCESS_LOG_DROPPED, JOBS, WEBHOOK_DELIVERIES, CONFIG_RELOADS,
            INFLIGHT_REQUESTS, QUEUE_DEPTH, BREAKER_STATE, ENDPOINT_WARMING, UPSTREAM_LOAD, ROUTE_TIMEOUT,
            ENDPOINT_CONCURRENCY_LIMIT, JOBS_QUEUED, CONFIG_LOADED, STORE_COMMAND, STORE_ERRORS, STORE_UNAVAILABLE, STORE_UP,
            STORE_LEASES_TAKEN_OVER, TRACE_SPANS_EXPORTED, TRACE_SPANS_DROPPED);

    private static final Set<String> SHARED_STORE = Set.of(STORE_COMMAND, STORE_ERRORS, STORE_UNAVAILABLE, STORE_UP,
            STORE_LEASES_TAKEN_OVER);

    private MeterNames() {}

    /** The meters registered only with a shared store ({@code store.redis}). */
    public static Set<String> sharedStore() {
        return SHARED_STORE;
    }

    /** Every name above. */
    public static Set<String> all() {
        return ALL;
    }
}
