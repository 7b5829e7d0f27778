package io.infergate.server.metrics;

import io.infergate.server.relay.BodyCopy;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.ByteBufAllocator;
import io.netty.buffer.PooledByteBufAllocator;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * What an exchange builds for itself on every request, outside Netty: its record (the path cut from
 * the target), the {@code Server-Timing} value, and the copy of a one-chunk body kept for retries.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class RecordBench {

    private static final ByteBufAllocator ALLOC = PooledByteBufAllocator.DEFAULT;

    private ByteBuf body;
    private ExchangeRecord served;

    @Setup(Level.Trial)
    public void setUp() {
        body = ALLOC.directBuffer().writeBytes(
                "{\"inputs\":\"hi\",\"parameters\":{\"max_new_tokens\":8}}".getBytes(StandardCharsets.UTF_8));
        long start = System.nanoTime();
        served = new ExchangeRecord(System.currentTimeMillis(), start, "4f1c0a9e2b3d4c5e6f708192a3b4c5d6", "POST",
                "/v1/chat/completions?api-version=1", "chat");
        served.attemptStarted("primary", "http://127.0.0.1:28000", start + 20_000);
        served.connected(0);
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        body.release();
    }

    @Benchmark
    public ExchangeRecord startARecord() {
        return new ExchangeRecord(System.currentTimeMillis(), System.nanoTime(), "4f1c0a9e2b3d4c5e6f708192a3b4c5d6",
                "POST", "/v1/chat/completions?api-version=1", "chat");
    }

    @Benchmark
    public String serverTimingOfAServedRequest() {
        return ServerTiming.of(served, System.nanoTime());
    }

    @Benchmark
    public int keepAOneChunkBodyForRetries() {
        BodyCopy copy = new BodyCopy(ALLOC, 1 << 20);
        copy.add(body);
        ByteBuf kept = copy.retainedBytes();
        int n = kept.readableBytes();
        kept.release();
        copy.release();
        return n;
    }
}
