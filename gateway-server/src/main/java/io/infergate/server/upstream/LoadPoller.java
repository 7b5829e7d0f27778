package io.infergate.server.upstream;

import io.infergate.core.Ticker;
import io.infergate.core.load.LoadReport;
import io.infergate.core.load.Parsed;
import io.infergate.core.load.PrometheusLoadParser;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * Reads endpoints' Prometheus pages on a schedule, because streams carry no load headers: TGI's
 * queue and batch gauges (against {@code max_concurrent_requests} from its {@code /info}, read once)
 * or vLLM's waiting, running and KV-cache gauges. Each poll has a strict time limit; a page that
 * cannot be read is counted on the endpoint and changes nothing.
 */
public final class LoadPoller implements AutoCloseable {

    /** One upstream's polling: how often, which path, how long a poll may take. */
    public record Poll(Upstream upstream, Duration every, String path, Duration timeout) {}

    private static final Logger log = LoggerFactory.getLogger(LoadPoller.class);
    private static final int MAX_PAGE_BYTES = 1024 * 1024;
    private static final int MAX_INFO_BYTES = 64 * 1024;

    private final ConnectionPools pools;
    private final Ticker ticker;
    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();
    /** TGI's capacity per endpoint, once its /info answered; touched only on the endpoint's poll loop. */
    private final Map<Endpoint, Integer> capacities = new IdentityHashMap<>();

    public LoadPoller(List<Poll> polls, EventLoopGroup group, ConnectionPools pools, Ticker ticker) {
        this.pools = pools;
        this.ticker = ticker;
        Map<Endpoint, Boolean> scheduled = new IdentityHashMap<>();
        for (Poll poll : polls) {
            long every = poll.every().toNanos();
            for (Endpoint endpoint : poll.upstream().endpoints()) {
                if (scheduled.put(endpoint, Boolean.TRUE) == null) {
                    EventLoop loop = group.next();
                    schedules.add(loop.scheduleAtFixedRate(() -> poll(endpoint, poll, loop), 0, every, TimeUnit.NANOSECONDS));
                }
            }
        }
    }

    private void poll(Endpoint endpoint, Poll poll, EventLoop loop) {
        long timeoutMillis = poll.timeout().toMillis();
        String base = endpoint.url().basePath();
        if (!capacities.containsKey(endpoint)) {
            SideRequest.get(endpoint, poll.upstream().auth(), base + "/info", loop, pools, timeoutMillis, MAX_INFO_BYTES,
                    answer -> {
                        if (answer.status() == 200 && PrometheusLoadParser.maxConcurrentRequests(
                                new String(answer.body(), StandardCharsets.UTF_8)) instanceof Parsed.Accepted<Integer> max) {
                            capacities.put(endpoint, max.value());
                        }
                    });
        }
        SideRequest.get(endpoint, poll.upstream().auth(), base + poll.path(), loop, pools, timeoutMillis, MAX_PAGE_BYTES,
                answer -> read(endpoint, answer));
    }

    private void read(Endpoint endpoint, SideRequest.Answer answer) {
        if (answer.status() != 200) {
            endpoint.load().rejected();
            log.debug("load poll of {} failed: {}", endpoint, answer.failure() == null ? answer.status() : answer.failure());
            return;
        }
        Parsed<LoadReport> parsed = PrometheusLoadParser.parse(new String(answer.body(), StandardCharsets.UTF_8), ticker.nanoTime());
        if (parsed instanceof Parsed.Accepted<LoadReport> report) {
            Integer capacity = capacities.get(endpoint);
            endpoint.load().report(capacity == null ? report.value() : report.value().withMaxConcurrent(capacity));
        } else {
            endpoint.load().rejected();
            log.debug("load page of {} not read: {}", endpoint, parsed);
        }
    }

    @Override
    public void close() {
        schedules.forEach(s -> s.cancel(false));
    }
}
