package io.infergate.server.relay;

import io.infergate.core.Ticker;
import io.infergate.core.ratelimit.GeneratedTokens;
import io.infergate.core.sse.SseFramer;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.core.sse.UpstreamError;
import io.netty.buffer.ByteBuf;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultLastHttpContent;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.concurrent.ScheduledFuture;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.TimeUnit;

/**
 * The client side of an event stream: upstream chunks go out as they come, untouched; when nothing
 * went to the client for an interval, a {@code : keep-alive} comment does, but only between two
 * events; and a stream that fails after it began ends with one error event in the client's dialect.
 */
public final class SseRelay {

    /** Told of what the relay writes, for the meters. */
    interface Observer {
        /** A {@code : keep-alive} comment went to the client. */
        void heartbeatSent();

        /** The chunk relayed at {@code nowNanos} completed {@code events} upstream events (comments not counted). */
        void eventsRelayed(long events, long nowNanos);
    }

    static final String EVENT_STREAM = "text/event-stream";
    private static final byte[] HEARTBEAT = ": keep-alive\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final byte[] END_OPEN_EVENT = "\n\n".getBytes(StandardCharsets.US_ASCII);
    private static final int MAX_ERROR_BODY_BYTES = 16 * 1024;

    private final ChannelHandlerContext client;
    private final StreamProtocol protocol;
    private final long intervalNanos;
    private final Ticker ticker;
    private final Observer observer;
    private final SseFramer framer = new SseFramer();
    private long eventsRelayed;
    private ScheduledFuture<?> timer;
    private long lastWriteNanos;
    private boolean upstreamBytesSeen;
    private boolean heartbeatWritten;
    private boolean stopped;
    /** An upstream's error answer to a stream committed early, collected to be retold as its last event. */
    private BodyCopy upstreamError;
    private int upstreamErrorStatus;

    SseRelay(ChannelHandlerContext client, StreamProtocol protocol, long intervalNanos, Ticker ticker, Observer observer) {
        this.client = client;
        this.protocol = protocol;
        this.intervalNanos = intervalNanos;
        this.ticker = ticker;
        this.observer = observer;
    }

    /** The stream's head has been written: from now on, quiet intervals get heartbeats. */
    void start() {
        lastWriteNanos = ticker.nanoTime();
        timer = client.executor().schedule(this::beat, intervalNanos, TimeUnit.NANOSECONDS);
    }

    /** One upstream chunk on its way to the client, which the caller writes as it is. */
    public void track(HttpContent content) {
        ByteBuf bytes = content.content();
        if (!upstreamBytesSeen && bytes.isReadable()) {
            upstreamBytesSeen = true;
            // A byte-order mark is stripped only at the very start: after a heartbeat it would
            // become part of the first field's name.
            if (heartbeatWritten && startsWithByteOrderMark(bytes)) {
                bytes.skipBytes(3);
            }
        }
        framer.feed(bytes);
        lastWriteNanos = ticker.nanoTime();
        long events = framer.fieldEventsCompleted();
        if (events > eventsRelayed) {
            observer.eventsRelayed(events - eventsRelayed, lastWriteNanos);
            eventsRelayed = events;
        }
    }

    /** The upstream answered the early-committed stream with an error: its body will be retold as an event. */
    void retellUpstreamError(int status) {
        upstreamError = new BodyCopy(client.alloc(), MAX_ERROR_BODY_BYTES);
        upstreamErrorStatus = status;
    }

    public boolean retellingUpstreamError() {
        return upstreamError != null;
    }

    /** Keeps (up to 16 KiB of) the error body and releases the chunk; at the last one, the event that retells it. */
    public byte[] collectUpstreamError(HttpContent content) {
        upstreamError.add(content.content());
        boolean last = content instanceof LastHttpContent;
        content.release();
        if (!last) {
            return null;
        }
        UpstreamError error = UpstreamError.from(upstreamErrorStatus, upstreamError.toArray());
        return protocol.errorEvent(error.type(), error.message(), error.status());
    }

    /** Whether the upstream's last event was its protocol's final one. */
    public boolean endedWithFinalEvent() {
        return protocol.isFinalEvent(framer.lastEventHead());
    }

    /** The tokens the stream's last events say were generated; -1 when they do not say. */
    public long generatedTokens() {
        long count = GeneratedTokens.inEvent(framer.lastEventHead());
        return count >= 0 ? count : GeneratedTokens.inEvent(framer.previousEventHead());
    }

    /** Ends the stream with {@code event}; an event the upstream left open is closed first. */
    ChannelFuture endWith(byte[] event) {
        stop();
        ByteBuf out = client.alloc().buffer(event.length + END_OPEN_EVENT.length);
        if (!framer.atEventBoundary()) {
            out.writeBytes(END_OPEN_EVENT);
        }
        out.writeBytes(event);
        return client.writeAndFlush(new DefaultLastHttpContent(out));
    }

    StreamProtocol protocol() {
        return protocol;
    }

    void stop() {
        stopped = true;
        if (timer != null) {
            timer.cancel(false);
        }
        if (upstreamError != null) {
            upstreamError.release();
            upstreamError = null;
        }
    }

    private void beat() {
        if (stopped) {
            return;
        }
        long now = ticker.nanoTime();
        long quiet = now - lastWriteNanos;
        if (quiet < intervalNanos) {
            timer = client.executor().schedule(this::beat, intervalNanos - quiet, TimeUnit.NANOSECONDS);
            return;
        }
        // Mid-event (the upstream stalled inside one) a comment would corrupt it; a client that
        // is not reading has bytes waiting anyway.
        if (framer.atEventBoundary() && client.channel().isWritable()) {
            client.writeAndFlush(new DefaultHttpContent(Unpooled.wrappedBuffer(HEARTBEAT)), client.voidPromise());
            lastWriteNanos = now;
            heartbeatWritten = true;
            observer.heartbeatSent();
        }
        timer = client.executor().schedule(this::beat, intervalNanos, TimeUnit.NANOSECONDS);
    }

    public static boolean isEventStream(HttpResponse head) {
        String type = head.headers().get(HttpHeaderNames.CONTENT_TYPE);
        return type != null && type.regionMatches(true, 0, EVENT_STREAM, 0, EVENT_STREAM.length());
    }

    private static boolean startsWithByteOrderMark(ByteBuf bytes) {
        int i = bytes.readerIndex();
        return bytes.readableBytes() >= 3 && bytes.getByte(i) == (byte) 0xEF
                && bytes.getByte(i + 1) == (byte) 0xBB && bytes.getByte(i + 2) == (byte) 0xBF;
    }
}
