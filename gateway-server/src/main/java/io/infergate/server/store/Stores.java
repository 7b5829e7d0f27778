package io.infergate.server.store;

import io.infergate.core.Ticker;
import io.infergate.core.config.RedisStoreConfig;
import io.infergate.core.config.StoreConfig;
import io.infergate.core.job.JobClock;
import io.infergate.core.job.JobStore;
import io.infergate.core.job.MemoryJobStore;
import io.infergate.core.job.StoreLimits;
import io.infergate.core.ratelimit.RateLimitStore;
import io.infergate.core.ratelimit.RateLimiter;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.channel.Channel;
import io.netty.channel.EventLoopGroup;

import java.time.Clock;
import java.util.Optional;

/**
 * Where this gateway keeps its rate limits and jobs: in its own memory (no {@code store} section), or
 * on the Redis of {@code store.redis}, shared with every gateway configured with it.
 */
public final class Stores implements AutoCloseable {

    private final RateLimitStore rateLimits;
    private final RedisStore redis;

    private Stores(RateLimitStore rateLimits, RedisStore redis) {
        this.rateLimits = rateLimits;
        this.redis = redis;
    }

    /**
     * Connects to the shared store, if there is one, waiting at most its {@code connectTimeout}.
     *
     * @param loops       the gateway's event loops: each gets a connection of its own to the shared store
     * @param channelType the socket channel class those loops take
     */
    public static Stores open(StoreConfig config, MeterRegistry registry, Ticker ticker, EventLoopGroup loops,
                              Class<? extends Channel> channelType) {
        if (config.redis().isEmpty()) {
            return new Stores(new RateLimiter(ticker), null);
        }
        RedisStoreConfig redisConfig = config.redis().get();
        StoreHealth health = new StoreHealth(redisConfig.url().toString(),
                "rate-limited requests are " + (config.onUnavailable() == StoreConfig.OnUnavailable.ALLOW
                        ? "allowed unchecked" : "refused (503 store_unavailable)"));
        RedisStore redis = new RedisStore(redisConfig, health, registry, ticker, loops, channelType);
        redis.connectNow();
        return new Stores(new RedisRateLimits(redis, config.onUnavailable()), redis);
    }

    public RateLimitStore rateLimits() {
        return rateLimits;
    }

    /** Where jobs are kept: in this process's memory, or on the shared Redis for every gateway on it. */
    public JobStore jobStore(StoreLimits limits, JobClock clock) {
        return redis == null ? new MemoryJobStore(limits, clock.ticker()) : new RedisJobStore(redis, limits, clock.wall());
    }

    /** The clock job moments are read from: the wall clock alone on a shared store, where tickers mean nothing. */
    public JobClock jobClock(Clock wall, Ticker ticker) {
        return redis == null ? new JobClock(wall, ticker) : RedisJobStore.clock(wall);
    }

    public Optional<RedisStore> redis() {
        return Optional.ofNullable(redis);
    }

    /** Why the gateway cannot serve as it should for want of its store; null when it can. */
    public String unready() {
        return redis != null && !redis.isUp() ? "store unreachable" : null;
    }

    @Override
    public void close() {
        if (redis != null) {
            redis.close();
        }
    }
}
