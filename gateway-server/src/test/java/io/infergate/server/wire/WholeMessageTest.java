package io.infergate.server.wire;

import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelHandler;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpRequestEncoder;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseEncoder;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;

import static org.junit.jupiter.api.Assertions.assertEquals;

class WholeMessageTest {

    private static final String SMALL = "{\"generated_text\":\"hello\"}";
    private static final String LARGE = "x".repeat(4096);

    @Test
    void aSmallResponseBodyGoesOutInTheHeadsBufferWithTheSameBytesAsHeadAndBodyApart() {
        assertBuffersAndSameBytes(1, HttpResponseEncoder::new,
                WholeMessage.of(response(SMALL), last(SMALL)), response(SMALL), last(SMALL));
    }

    @Test
    void aLargeBodyStaysItsOwnBufferAndTheBytesAreTheSame() {
        assertBuffersAndSameBytes(2, HttpResponseEncoder::new,
                WholeMessage.of(response(LARGE), last(LARGE)), response(LARGE), last(LARGE));
    }

    @Test
    void aRequestWithItsSmallBodyIsOneBufferTooWithTheSameBytes() {
        assertBuffersAndSameBytes(1, HttpRequestEncoder::new,
                WholeMessage.of(request(SMALL), last(SMALL)), request(SMALL), last(SMALL));
    }

    /** The whole message goes down the pipeline as {@code buffers} buffers, its bytes those of head and body apart. */
    private static void assertBuffersAndSameBytes(int buffers, Supplier<ChannelHandler> encoder, Object whole,
                                                  Object head, Object body) {
        List<ByteBuf> one = encode(encoder.get(), whole);
        List<ByteBuf> apart = encode(encoder.get(), head, body);
        assertEquals(buffers, one.size(), "buffers down the pipeline");
        assertEquals(text(apart), text(one));
    }

    private static HttpResponse response(String body) {
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, "application/json").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return head;
    }

    private static HttpRequest request(String body) {
        HttpRequest head = new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.POST, "/generate");
        head.headers().set(HttpHeaderNames.HOST, "upstream").setInt(HttpHeaderNames.CONTENT_LENGTH, body.length());
        return head;
    }

    private static LastHttpContent last(String body) {
        return new DefaultLastHttpContent(Unpooled.copiedBuffer(body, StandardCharsets.UTF_8));
    }

    /** What the encoder passes on for {@code messages}, one write each (and the flush). */
    private static List<ByteBuf> encode(ChannelHandler encoder, Object... messages) {
        EmbeddedChannel channel = new EmbeddedChannel(encoder);
        for (Object message : messages) {
            channel.write(message);
        }
        channel.flush();
        List<ByteBuf> out = new ArrayList<>();
        ByteBuf buf;
        while ((buf = channel.readOutbound()) != null) {
            out.add(buf);
        }
        channel.finishAndReleaseAll();
        return out;
    }

    private static String text(List<ByteBuf> buffers) {
        StringBuilder text = new StringBuilder();
        for (ByteBuf buf : buffers) {
            text.append(buf.toString(StandardCharsets.US_ASCII));
            buf.release();
        }
        return text.toString();
    }
}
