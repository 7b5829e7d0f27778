package io.infergate.server.relay;

import io.infergate.server.wire.ForwardingHeaders;
import io.infergate.server.wire.GatewayHeaders;
import io.infergate.server.wire.WholeMessage;
import io.infergate.core.Ticker;
import io.infergate.core.error.GatewayError;
import io.infergate.core.metrics.GatewayMetrics;
import io.infergate.core.ratelimit.Decision;
import io.infergate.core.route.Route;
import io.infergate.core.sse.StreamProtocol;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.metrics.ServerTiming;
import io.infergate.server.tracing.ExchangeTrace;
import io.netty.buffer.Unpooled;
import io.netty.channel.ChannelFuture;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;

import java.util.function.BooleanSupplier;

/**
 * What the client is told, and whether its connection is kept after: the gateway's own answers
 * (an error, a job's {@code 202}), the event-stream head sent early, the upstream's head passed on,
 * and the last bytes of the response. Separate from the exchange, which decides what happens to
 * the request; this owns how the client hears of it, the status it got, and its event stream.
 * Each way of ending returns whether the client's connection is kept, for the exchange's finish.
 * <p>
 * A relayed head that does not start an event stream is held back, with the first content behind
 * it, until the next content or the end of the upstream's read (where the client is flushed
 * anyway): a response that breaks within that read, a bad first chunk, can still become a
 * {@code 502} instead of a head with nothing after it.
 */
public final class ClientResponder {

    private final ChannelHandlerContext client;
    private final Ticker ticker;
    private final GatewayMetrics metrics;
    /** Whether the gateway drains: from then on no connection is kept. */
    private final BooleanSupplier draining;
    private final Route route;
    private final ExchangeRecord record;
    private final String requestId;
    private final boolean keepAlive;
    private final ForwardingHeaders.ClientFraming framing;
    private final StreamProtocol protocol;
    private final ExchangeTrace trace;

    /** The client's event stream, once its head is out (early, or relaying an upstream stream). */
    private SseRelay sse;
    private int status;
    private boolean started;
    private boolean closeAfterResponse;
    private long retryAfterSeconds;
    /** The tenant's rate-limit decision, let through or refused, for its headers; null without limits. */
    private Decision rateLimit;
    /** A relayed head not written yet, and the first content behind it (null when none came yet). */
    private HttpResponse heldHead;
    private HttpContent heldContent;

    public ClientResponder(ChannelHandlerContext client, Ticker ticker, GatewayMetrics metrics, BooleanSupplier draining,
                    Route route, ExchangeRecord record,
                    HttpRequest request, String requestId, StreamProtocol protocol, ExchangeTrace trace) {
        this.client = client;
        this.ticker = ticker;
        this.metrics = metrics;
        this.draining = draining;
        this.route = route;
        this.record = record;
        this.requestId = requestId;
        this.keepAlive = HttpUtil.isKeepAlive(request);
        this.framing = new ForwardingHeaders.ClientFraming(
                request.protocolVersion(), keepAlive, HttpMethod.HEAD.equals(request.method()));
        this.protocol = protocol;
        this.trace = trace;
    }

    /** A local error answer will say when to come back; 0 leaves {@code Retry-After} out. */
    public void retryAfter(long seconds) {
        retryAfterSeconds = seconds;
    }

    /** The tenant's rate limit as it decided: its headers go on whatever answers the request. */
    public void rateLimitedBy(Decision decision) {
        rateLimit = decision;
    }

    /**
     * With early headers, a client that asked for a stream gets {@code 200} and the event-stream
     * head now, and heartbeats while the gateway connects and waits for the upstream.
     */
    public void streamEarly() {
        if (!route.heartbeat().earlyHeaders() || started) {
            return;
        }
        HttpResponse head = new DefaultHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK);
        head.headers().set(HttpHeaderNames.CONTENT_TYPE, SseRelay.EVENT_STREAM);
        closeAfterResponse = ForwardingHeaders.toClient(head, requestId, true, framing, draining.getAsBoolean());
        trace.answering(head.headers());
        status = 200;
        started = true;
        // Sent before the queue, the connection and the upstream: only the time so far is known.
        head.headers().set(GatewayHeaders.SERVER_TIMING, ServerTiming.early(record, ticker.nanoTime()));
        startStream();
        client.writeAndFlush(head, client.voidPromise());
    }

    /**
     * The upstream's head goes on to the client, which owns it from here; false when the client's
     * stream began early, so the head had nothing to add but, maybe, an error to retell as an event.
     */
    public boolean relayHead(HttpResponse head, String upstream, String endpointHost, boolean fallback) {
        int code = head.status().code();
        boolean eventStream = SseRelay.isEventStream(head);
        if (sse != null) {
            if (code >= 300 || !eventStream) {
                status = code;
                sse.retellUpstreamError(code);
            }
            ReferenceCountUtil.release(head);
            return false;
        }
        status = code;
        closeAfterResponse = ForwardingHeaders.toClient(head, requestId, eventStream, framing, draining.getAsBoolean());
        trace.answering(head.headers());
        head.headers().set(GatewayHeaders.X_GATEWAY_UPSTREAM, upstream + "/" + endpointHost);
        if (fallback) {
            head.headers().set(GatewayHeaders.X_GATEWAY_FALLBACK, upstream);
        }
        started = true;
        record.responseHead(head.headers());
        if (rateLimit != null) {
            GatewayHeaders.rateLimit(head.headers(), rateLimit);
        }
        head.headers().set(GatewayHeaders.SERVER_TIMING, ServerTiming.of(record, ticker.nanoTime()));
        if (eventStream) {
            client.write(head, client.voidPromise());
            startStream();
        } else {
            heldHead = head;
        }
        return true;
    }

    /** A content of a relayed response that is not an event stream; the first waits with the head. */
    public void relay(HttpContent content) {
        if (heldHead != null) {
            if (heldContent == null) {
                heldContent = content;
                return;
            }
            writeHeld();
        }
        client.write(content, client.voidPromise());
    }

    /** The upstream's read ended: what it brought goes out to the client. */
    public void flush() {
        if (heldHead != null) {
            writeHeld();
        }
        client.flush();
    }

    private void writeHeld() {
        client.write(heldHead, client.voidPromise());
        heldHead = null;
        if (heldContent != null) {
            client.write(heldContent, client.voidPromise());
            heldContent = null;
        }
    }

    private void releaseHeld() {
        ReferenceCountUtil.release(heldHead);
        ReferenceCountUtil.release(heldContent); // none when null
        heldHead = null;
        heldContent = null;
    }

    private void startStream() {
        sse = new SseRelay(client, protocol, route.heartbeat().interval().toNanos(), ticker,
                new StreamMeters(metrics, route.name(), record, trace));
        sse.start();
    }

    /** The job was stored: {@code 202} with its document, as {@code accepted} has it. */
    public boolean accepted(FullHttpResponse accepted) {
        status = 202;
        trace.answering(accepted.headers());
        return LocalAnswer.send(client, accepted, record,
                ticker.nanoTime(), LocalAnswer.After.of(keepAlive && !draining.getAsBoolean(), true));
    }

    /**
     * The exchange failed with {@code error}: a stream ends with an error event in its own dialect,
     * a response already begun is cut short, and otherwise the gateway answers with the error itself.
     */
    public boolean fail(GatewayError error, String message, boolean bodyComplete) {
        if (sse != null) {
            return endStream(protocol.errorEvent(error, message), bodyComplete);
        }
        if (heldHead != null) {
            // Nothing of the response reached the client: the error answers instead.
            releaseHeld();
        } else if (started) {
            // Too late for a status: what was written goes out, then the connection closes, so the
            // response ends cut short and the client cannot take it for whole.
            client.writeAndFlush(Unpooled.EMPTY_BUFFER).addListener(ChannelFutureListener.CLOSE);
            return false;
        }
        status = error.status();
        FullHttpResponse response = LocalResponses.error(client.alloc(), protocol, error, message, requestId);
        trace.answering(response.headers());
        // Every 429 and 503 says when to come back: a client told nothing retries at once, some forever.
        long retryAfter = retryAfterSeconds > 0 ? retryAfterSeconds : status == 429 || status == 503 ? 1 : 0;
        if (retryAfter > 0) {
            response.headers().setInt(HttpHeaderNames.RETRY_AFTER, (int) Math.min(Integer.MAX_VALUE, retryAfter));
        }
        if (rateLimit != null) {
            GatewayHeaders.rateLimit(response.headers(), rateLimit);
        }
        return LocalAnswer.send(client, response, record, ticker.nanoTime(),
                LocalAnswer.After.of(keepAlive && bodyComplete && !draining.getAsBoolean(), bodyComplete));
    }

    /** Ends the client's stream with {@code event}; the connection stays when the exchange ended cleanly. */
    public boolean endStream(byte[] event, boolean bodyComplete) {
        // A stream that began before the drain could not say Connection: close; it closes now.
        boolean keepClient = bodyComplete && !closeAfterResponse && !draining.getAsBoolean();
        return closeUnlessKept(sse.endWith(event), keepClient);
    }

    /** The upstream's last content goes out (one message with a head that waits alone), and the response is whole. */
    public boolean complete(LastHttpContent last, boolean bodyComplete) {
        boolean headAlone = heldHead != null && heldContent == null;
        HttpContent end = headAlone ? WholeMessage.of(heldHead, last) : last;
        if (!headAlone && heldHead != null) {
            writeHeld();
        }
        heldHead = null;
        return closeUnlessKept(client.writeAndFlush(end), bodyComplete && !closeAfterResponse);
    }

    /** The client stopped reading: its connection closes at once, with whatever it has not taken. */
    public boolean abandon() {
        client.close();
        return false;
    }

    private static boolean closeUnlessKept(ChannelFuture written, boolean keepClient) {
        written.addListener(keepClient ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
        return keepClient;
    }

    /** The client went away: nginx's 499 when it had no status yet, and a cancelled stream counted. */
    public void clientClosed() {
        if (!started) {
            status = 499; // client closed request, as nginx counts it
        }
        if (sse != null) {
            metrics.streamCancelled(route.name());
        }
    }

    /** The exchange is over: the stream's heartbeats stop, and a head still held is dropped. */
    public void stop() {
        if (heldHead != null) {
            releaseHeld();
        }
        if (sse != null) {
            sse.stop();
        }
    }

    public ExchangeTrace trace() {
        return trace;
    }

    /** The client's event stream, or null when the response is not one (yet). */
    public SseRelay stream() {
        return sse;
    }

    public int status() {
        return status;
    }
}
