package io.infergate.server.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocatorMetric;
import io.netty.channel.group.ChannelGroup;
import io.netty.util.concurrent.EventExecutor;
import io.netty.util.concurrent.EventExecutorGroup;
import io.netty.util.concurrent.SingleThreadEventExecutor;

/**
 * What Netty holds for the gateway: the pooled allocator's memory (direct memory is outside the heap
 * and its meters), the tasks waiting on each event loop (a loop that falls behind delays every
 * connection on it), and the open client connections. Named outside {@code gateway_}, which is
 * {@link io.infergate.core.metrics.MeterNames}'s alone.
 */
public final class NettyMeters {

    private NettyMeters() {}

    public static void bind(MeterRegistry registry, EventExecutorGroup loops, ChannelGroup clients) {
        PooledByteBufAllocatorMetric allocator = PooledByteBufAllocator.DEFAULT.metric();
        Gauge.builder("netty.allocator.memory.used", allocator, PooledByteBufAllocatorMetric::usedDirectMemory)
                .description("Memory held by Netty's pooled allocator").baseUnit("bytes")
                .tag("memory_type", "direct").strongReference(true).register(registry);
        Gauge.builder("netty.allocator.memory.used", allocator, PooledByteBufAllocatorMetric::usedHeapMemory)
                .description("Memory held by Netty's pooled allocator").baseUnit("bytes")
                .tag("memory_type", "heap").strongReference(true).register(registry);
        int index = 0;
        for (EventExecutor loop : loops) {
            if (loop instanceof SingleThreadEventExecutor executor) {
                Gauge.builder("netty.eventloop.pending.tasks", executor, SingleThreadEventExecutor::pendingTasks)
                        .description("Tasks waiting to run on an event loop")
                        .tag("loop", Integer.toString(index)).strongReference(true).register(registry);
            }
            index++;
        }
        Gauge.builder("netty.client.connections", clients, ChannelGroup::size)
                .description("Open client connections on the proxy port").strongReference(true).register(registry);
    }
}
