package io.infergate.server.store;

import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisURI;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Transports;
import io.netty.channel.Channel;
import io.netty.channel.EventLoop;
import io.netty.channel.EventLoopGroup;
import io.netty.util.concurrent.EventExecutor;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * One connection to the store per gateway event loop, each made by a client of its own on that very
 * loop, as a proxy keeps an upstream connection per worker: a command sent from a loop is written
 * inline, its reply is read by the same thread and its future completes there, with no hop to
 * another thread and back. The clients share the store's timer and executor (command timeouts,
 * reconnect scheduling), so they add no thread.
 */
final class LoopLinks {

    private static final Logger log = LoggerFactory.getLogger(LoopLinks.class);
    private static final LoopLinks NONE = new LoopLinks(new EventLoop[0], new RedisLink[0], List.of());

    private final EventLoop[] loops;
    private final RedisLink[] links;
    private final List<ClientResources> resources;

    private LoopLinks(EventLoop[] loops, RedisLink[] links, List<ClientResources> resources) {
        this.loops = loops;
        this.links = links;
        this.resources = resources;
    }

    static LoopLinks none() {
        return NONE;
    }

    /**
     * A link per loop of {@code group}, not connected yet; none when the channel type Lettuce picks
     * cannot be registered on those loops (they are epoll and Lettuce's epoll is switched off, say).
     *
     * @param channelType the socket channel class the gateway's loops take
     */
    static LoopLinks on(EventLoopGroup group, Class<? extends Channel> channelType, ClientResources shared,
                        ClientOptions options, RedisURI uri) {
        if (!Transports.socketChannelClass().equals(channelType)) {
            log.warn("the shared store's client would use {} where the event loops take {}: its commands go through "
                    + "one connection on threads of its own", Transports.socketChannelClass().getSimpleName(),
                    channelType.getSimpleName());
            return NONE;
        }
        List<EventLoop> loops = new ArrayList<>();
        List<RedisLink> links = new ArrayList<>();
        List<ClientResources> resources = new ArrayList<>();
        for (EventExecutor executor : group) {
            EventLoop loop = (EventLoop) executor;
            ClientResources onLoop = StoreAddresses.resolverFor(uri, ClientResources.builder())
                    .eventLoopGroupProvider(new OneLoop(loop))
                    .eventExecutorGroup(shared.eventExecutorGroup()).timer(shared.timer())
                    .reconnectDelay(shared.reconnectDelay()).build();
            loops.add(loop);
            links.add(new RedisLink(onLoop, options, uri));
            resources.add(onLoop);
        }
        return new LoopLinks(loops.toArray(EventLoop[]::new), links.toArray(RedisLink[]::new), resources);
    }

    /** The link of the loop this thread is, or null on any other thread. */
    RedisLink current() {
        for (int i = 0; i < loops.length; i++) {
            if (loops[i].inEventLoop()) {
                return links[i];
            }
        }
        return null;
    }

    /** Makes every link's first connection that is not made yet; completes when all attempts have ended. */
    CompletableFuture<?> connect() {
        List<CompletableFuture<?>> attempts = new ArrayList<>();
        for (RedisLink link : links) {
            attempts.add(link.connect());
        }
        return CompletableFuture.allOf(attempts.toArray(CompletableFuture[]::new));
    }

    boolean allConnected() {
        for (RedisLink link : links) {
            if (!link.connected()) {
                return false;
            }
        }
        return true;
    }

    /** Closes the links; the gateway's loops are left running. */
    void close() {
        for (RedisLink link : links) {
            link.close();
        }
        for (ClientResources onLoop : resources) {
            onLoop.shutdown(0, 2, TimeUnit.SECONDS).awaitUninterruptibly(3, TimeUnit.SECONDS);
        }
    }
}
