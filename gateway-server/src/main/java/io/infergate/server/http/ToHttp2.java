package io.infergate.server.http;

import io.infergate.core.config.Http2Config;
import io.infergate.server.exchange.ProxyContext;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.ChannelPipeline;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpServerUpgradeHandler;
import io.netty.handler.codec.http2.Http2CodecUtil;
import io.netty.handler.codec.http2.Http2FrameCodec;
import io.netty.handler.codec.http2.Http2FrameCodecBuilder;
import io.netty.handler.codec.http2.Http2MultiplexHandler;
import io.netty.handler.codec.http2.Http2ServerUpgradeCodec;
import io.netty.handler.codec.http2.Http2Settings;
import io.netty.util.AsciiString;

import java.util.Collection;
import java.util.List;

/**
 * Turns a client connection that began as HTTP/1.1 into an HTTP/2 one, however it said so: by
 * ALPN, by the connection preface (prior knowledge) or by {@code Upgrade: h2c}. The HTTP/1.1
 * handlers leave the pipeline, and the HTTP/2 codec, its streams and their bookkeeping take
 * their place behind the connection's own clocks.
 * <p>
 * The codec enforces the {@code server.http2} limits and Netty's defences against the known
 * HTTP/2 floods: resets beyond {@code maxResets} per {@code resetWindow} (rapid reset) and
 * runs of empty DATA frames end the connection with {@code GOAWAY ENHANCE_YOUR_CALM}; a header
 * list past {@code maxHeaderListBytes} or a run of tiny CONTINUATION frames ends it too; and a
 * client that sends SETTINGS or PING frames without reading their acknowledgements has its
 * connection closed once too many of those wait to be written.
 */
final class ToHttp2 {

    /** Control frames (SETTINGS and PING acknowledgements, resets) that may wait unwritten: Netty's default. */
    private static final int MAX_QUEUED_CONTROL_FRAMES = 10_000;
    /** Empty DATA frames in a row before the connection ends: Netty's default. */
    private static final int MAX_CONSECUTIVE_EMPTY_DATA_FRAMES = 2;

    /** The handlers an HTTP/1.1 connection has that an HTTP/2 one does not. */
    static final Collection<String> HTTP1_HANDLERS = List.of("codec", "h2cUpgrade", "bodyBytes", "proxy");

    private final ProxyContext context;
    private final ClientTimeoutHandler timeouts;

    ToHttp2(ProxyContext context, ClientTimeoutHandler timeouts) {
        this.context = context;
        this.timeouts = timeouts;
    }

    /** Switches now, the HTTP/2 handlers placed after {@code after}; for ALPN and prior knowledge. */
    void switchPipeline(ChannelPipeline pipeline, String after) {
        removeHttp1(pipeline);
        Http2Streams streams = new Http2Streams(context, timeouts);
        pipeline.addAfter(after, "h2", newCodec());
        pipeline.addAfter("h2", "streams", new Http2MultiplexHandler(streams.streamInitializer()));
        pipeline.addAfter("streams", "http2Streams", streams);
        multiplexing(pipeline);
    }

    /** For {@code Upgrade: h2c}: the upgrade handler adds the codec and answers {@code 101}. */
    HttpServerUpgradeHandler.UpgradeCodecFactory upgradeCodecs() {
        return protocol -> {
            if (!AsciiString.contentEquals(Http2CodecUtil.HTTP_UPGRADE_PROTOCOL_NAME, protocol)) {
                return null;
            }
            Http2Streams streams = new Http2Streams(context, timeouts);
            Http2ServerUpgradeCodec upgrade = new Http2ServerUpgradeCodec(newCodec(),
                    new Http2MultiplexHandler(streams.streamInitializer(), streams.streamInitializer()), streams);
            return new HttpServerUpgradeHandler.UpgradeCodec() {
                @Override
                public Collection<CharSequence> requiredUpgradeHeaders() {
                    return upgrade.requiredUpgradeHeaders();
                }

                @Override
                public boolean prepareUpgradeResponse(ChannelHandlerContext ctx, FullHttpRequest request,
                                                      HttpHeaders headers) {
                    return upgrade.prepareUpgradeResponse(ctx, request, headers);
                }

                @Override
                public void upgradeTo(ChannelHandlerContext ctx, FullHttpRequest request) {
                    ChannelPipeline pipeline = ctx.pipeline();
                    for (String name : List.of("bodyBytes", "proxy")) {
                        pipeline.remove(name);
                    }
                    upgrade.upgradeTo(ctx, request);
                    multiplexing(pipeline);
                }
            };
        };
    }

    private void multiplexing(ChannelPipeline pipeline) {
        timeouts.multiplexing();
        // Streams are read as their handlers ask (each its own window); the connection itself
        // always reads, so that SETTINGS, PING, WINDOW_UPDATE and new streams are never stuck.
        pipeline.channel().config().setAutoRead(true);
    }

    private static void removeHttp1(ChannelPipeline pipeline) {
        for (String name : HTTP1_HANDLERS) {
            ChannelHandler handler = pipeline.get(name);
            if (handler != null) {
                pipeline.remove(handler);
            }
        }
    }

    private Http2FrameCodec newCodec() {
        Http2Config limits = context.server().http2();
        int resetWindowSeconds = (int) Math.max(1, (limits.resetWindow().toMillis() + 999) / 1000);
        return Http2FrameCodecBuilder.forServer()
                .initialSettings(Http2Settings.defaultSettings()
                        .maxConcurrentStreams(limits.maxConcurrentStreams())
                        .maxHeaderListSize(limits.maxHeaderListBytes()))
                .decoderEnforceMaxRstFramesPerWindow(limits.maxResets(), resetWindowSeconds)
                .encoderEnforceMaxQueuedControlFrames(MAX_QUEUED_CONTROL_FRAMES)
                .decoderEnforceMaxConsecutiveEmptyDataFrames(MAX_CONSECUTIVE_EMPTY_DATA_FRAMES)
                .gracefulShutdownTimeoutMillis(-1) // a drain ends streams on its own clock
                .validateHeaders(true)
                .build();
    }
}
