package io.infergate.server.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.PooledByteBufAllocator;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
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
 * A relayed response that came in one read, shaped like {@code bench/proxy.sh}'s, written to the
 * client's encoder as head and last content apart (as before) and as one message: what the encoder
 * and the pipeline cost each way, the bytes passed on and released.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class WholeMessageBench {

    private static final byte[] BODY =
            "{\"generated_text\":\"hello\",\"details\":{\"finish_reason\":\"length\",\"generated_tokens\":8}}"
                    .getBytes(StandardCharsets.US_ASCII);

    private EmbeddedChannel client;

    @Setup
    public void setUp() {
        client = new EmbeddedChannel(new HttpResponseEncoder());
    }

    @TearDown
    public void tearDown() {
        client.finishAndReleaseAll();
    }

    @Benchmark
    public int headAndLastContentApart() {
        client.write(head());
        client.writeAndFlush(last());
        return drain();
    }

    @Benchmark
    public int oneMessage() {
        client.writeAndFlush(WholeMessage.of(head(), last()));
        return drain();
    }

    /** The head as the relay passes it on: the upstream's headers and the gateway's own. */
    private static HttpResponse head() {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers()
                .set(HttpHeaderNames.SERVER, "nginx")
                .set(HttpHeaderNames.DATE, "Sat, 05 Dec 2026 21:00:00 GMT")
                .set(HttpHeaderNames.CONTENT_TYPE, "application/json")
                .setInt(HttpHeaderNames.CONTENT_LENGTH, BODY.length)
                .set(GatewayHeaders.X_REQUEST_ID, "0af7651916cd43dd8448eb211c80319c")
                .set(GatewayHeaders.X_GATEWAY_UPSTREAM, "primary/127.0.0.1:28000")
                .set(GatewayHeaders.SERVER_TIMING, "queue;dur=0, connect;dur=0, upstream;dur=0.1, total;dur=0.2");
        return head;
    }

    private static LastHttpContent last() {
        ByteBuf body = PooledByteBufAllocator.DEFAULT.directBuffer(BODY.length).writeBytes(BODY);
        return new DefaultLastHttpContent(body);
    }

    /** Takes what reached the socket's end of the pipeline; its byte count. */
    private int drain() {
        int bytes = 0;
        ByteBuf out;
        while ((out = client.readOutbound()) != null) {
            bytes += out.readableBytes();
            out.release();
        }
        return bytes;
    }
}
