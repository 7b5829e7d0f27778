package io.infergate.server.upstream;

import io.infergate.core.config.ColdStartConfig;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.ScheduledFuture;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * {@code coldStart.keepWarm}: a {@code GET} to every endpoint of such an upstream on a schedule, so
 * an endpoint set to scale to zero after a quiet hour never goes quiet. The answer is only read and
 * dropped; the requests that matter learn the endpoint's state on their own.
 */
public final class KeepWarm implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(KeepWarm.class);
    private static final long MAX_WAIT_MILLIS = Duration.ofSeconds(30).toMillis();

    private final List<ScheduledFuture<?>> schedules = new ArrayList<>();

    public KeepWarm(RouteTable routes, EventLoopGroup group, ConnectionPools pools) {
        Map<Endpoint, Boolean> scheduled = new IdentityHashMap<>();
        for (Route route : routes.routes()) {
            for (Upstream upstream : route.upstreams()) {
                ColdStartConfig.KeepWarm keepWarm = upstream.coldStart().keepWarm();
                if (keepWarm == null) {
                    continue;
                }
                long every = keepWarm.every().toNanos();
                for (Endpoint endpoint : upstream.endpoints()) {
                    if (scheduled.put(endpoint, Boolean.TRUE) == null) {
                        EventLoop loop = group.next();
                        String target = endpoint.url().basePath() + keepWarm.path();
                        schedules.add(loop.scheduleAtFixedRate(() -> SideRequest.get(endpoint, upstream.auth(), target,
                                        loop, pools, MAX_WAIT_MILLIS, 0, answer -> log.debug("keep-warm {}{}: {}",
                                                endpoint, target, answer.failure() == null ? answer.status() : answer.failure())),
                                every, every, TimeUnit.NANOSECONDS));
                    }
                }
            }
        }
    }

    @Override
    public void close() {
        schedules.forEach(s -> s.cancel(false));
    }
}
