package io.infergate.server.upstream;

import io.infergate.core.config.ColdStartConfig;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteTable;
import io.infergate.core.upstream.Endpoint;
import io.infergate.core.upstream.Upstream;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import io.netty.util.concurrent.Future;
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
                        schedules.add(loop.scheduleAtFixedRate(() -> new Ping(endpoint, upstream, target, loop, pools).send(),
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

    /** One keep-warm request: send, read the answer to its end, give the connection back. */
    private static final class Ping implements UpstreamListener {
        private final Endpoint endpoint;
        private final Upstream upstream;
        private final String target;
        private final ConnectionPool pool;
        private UpstreamConnection connection;
        private ScheduledFuture<?> deadline;
        private boolean keepAlive;
        private boolean done;

        Ping(Endpoint endpoint, Upstream upstream, String target, EventLoop loop, ConnectionPools pools) {
            this.endpoint = endpoint;
            this.upstream = upstream;
            this.target = target;
            this.pool = pools.forLoop(loop);
        }

        void send() {
            Future<UpstreamConnection> acquired = pool.acquire(endpoint, this, MAX_WAIT_MILLIS);
            acquired.addListener(f -> {
                if (!f.isSuccess()) {
                    log.debug("keep-warm connect to {} failed: {}", endpoint, f.cause().toString());
                    return;
                }
                connection = acquired.getNow();
                Channel channel = connection.channel();
                deadline = channel.eventLoop().schedule(() -> end(false), MAX_WAIT_MILLIS, TimeUnit.MILLISECONDS);
                FullHttpRequest request = new DefaultFullHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, target);
                request.headers().set(HttpHeaderNames.HOST, endpoint.url().hostHeader());
                if (upstream.auth().present()) {
                    request.headers().set(HttpHeaderNames.AUTHORIZATION, "Bearer " + upstream.auth().bearerToken());
                }
                channel.writeAndFlush(request, channel.voidPromise());
                channel.read();
            });
        }

        @Override
        public void onUpstreamMessage(Object message) {
            if (message instanceof HttpResponse head) {
                keepAlive = HttpUtil.isKeepAlive(head);
                log.debug("keep-warm {}{}: {}", endpoint, target, head.status());
            }
            boolean last = message instanceof LastHttpContent;
            ReferenceCountUtil.release(message);
            if (last) {
                end(keepAlive);
            }
        }

        @Override
        public void onUpstreamReadComplete() {
            if (!done) {
                connection.channel().read();
            }
        }

        @Override
        public void onUpstreamWritabilityChanged(boolean writable) {
        }

        @Override
        public void onUpstreamClosed(Throwable cause) {
            end(false);
        }

        private void end(boolean reuse) {
            if (done) {
                return;
            }
            done = true;
            deadline.cancel(false);
            if (reuse) {
                pool.release(connection);
            } else {
                pool.discard(connection);
            }
        }
    }
}
