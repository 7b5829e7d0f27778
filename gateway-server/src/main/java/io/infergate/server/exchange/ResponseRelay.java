package io.infergate.server.exchange;

import io.infergate.server.relay.ClientResponder;
import io.infergate.server.relay.SseRelay;
import io.infergate.server.wire.LoadSignals;
import io.infergate.core.error.Ending;
import io.infergate.core.error.GatewayError;
import io.infergate.core.resilience.AttemptOutcome;
import io.infergate.core.resilience.BreakerVerdict;
import io.infergate.core.route.Route;
import io.infergate.core.timeout.ExchangeTimeouts;
import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.upstream.UpstreamListener;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.PrematureChannelClosureException;
import io.netty.handler.codec.http.HttpContent;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.LastHttpContent;
import io.netty.util.ReferenceCountUtil;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The way down, for the exchange's current {@link Attempt}: the upstream's response head is judged (held back, worth
 * another attempt, or the answer), then relayed with its body as it arrives, reading the upstream only while the
 * client keeps up. What the loop decides goes back to the exchange to act on; the one rule that ends all other
 * attempts lives here: no other attempt once an upstream byte reached the client.
 */
final class ResponseRelay implements UpstreamListener {

    private static final Logger log = LoggerFactory.getLogger(ResponseRelay.class);

    private final Exchange exchange;
    private final ChannelHandlerContext client;
    private final ProxyContext context;
    private final Route route;
    private final ExchangeRecord record;
    private final ClientResponder responder;
    private final ExchangeTimeouts timeouts;
    private final AttemptLoop loop;
    private final RequestBody body;
    private final RequestGate gate;
    private final String requestId;
    private final ContinuationRelay continuation;
    private Attempt attempt;
    /** Whether an upstream byte reached the client: from then on, no other attempt. Heartbeats do not count. */
    private boolean relayed;

    ResponseRelay(Exchange exchange, ChannelHandlerContext client, ProxyContext context, Route route,
                  ExchangeRecord record, ClientResponder responder, ExchangeTimeouts timeouts, AttemptLoop loop,
                  RequestBody body, RequestGate gate, String requestId, ContinuationRelay continuation) {
        this.exchange = exchange;
        this.client = client;
        this.context = context;
        this.route = route;
        this.record = record;
        this.responder = responder;
        this.timeouts = timeouts;
        this.loop = loop;
        this.body = body;
        this.gate = gate;
        this.requestId = requestId;
        this.continuation = continuation;
    }

    /** The attempt whose response comes next. */
    void begin(Attempt current) {
        attempt = current;
    }

    /** That attempt is over: its connection is detached, nothing more comes from it. */
    void end() {
        attempt = null;
    }

    /** Whether another attempt could still be made: the whole body is in hand and the client has seen nothing. */
    boolean anotherAttemptPossible() {
        return body.replayable() && !relayed && !exchange.done();
    }

    @Override
    public void onUpstreamMessage(Object message) {
        if (attempt == null || exchange.done()) {
            ReferenceCountUtil.release(message);
            return;
        }
        if (message instanceof HttpResponse head) {
            onHead(head);
        }
        if (message instanceof HttpContent content) {
            if (attempt == null || exchange.done()) {
                content.release(); // what came with a head that ended the attempt or the exchange
            } else {
                onContent(content);
            }
        }
    }

    private void onHead(HttpResponse head) {
        if (head.decoderResult().isFailure()) {
            // Not released here: the full response the decoder makes of a status line it cannot read
            // is released as content, next.
            Throwable cause = head.decoderResult().cause();
            log.debug("upstream {} sent a malformed head for request {}", attempt.endpoint, requestId, cause);
            exchange.fail(cause instanceof PrematureChannelClosureException ? GatewayError.UPSTREAM_RESET
                    : GatewayError.UPSTREAM_PROTOCOL, cause instanceof PrematureChannelClosureException
                    ? "the upstream closed the connection within the response head"
                    : "the upstream's response head was malformed");
            return;
        }
        int code = head.status().code();
        if (code >= 100 && code < 200) {
            // An interim response (100 Continue, 103 Early Hints): the gateway answered the client's
            // Expect itself, so it is dropped with the empty content that follows it.
            attempt.skipInterim();
            ReferenceCountUtil.release(head);
            return;
        }
        long now = context.ticker().nanoTime();
        timeouts.responseActivity(now);
        attempt.headArrived(code, HttpUtil.isKeepAlive(head));
        LoadSignals.record(head.headers(), attempt.endpoint.load(), attempt.limit, attempt.startedNanos,
                route.loadHeaders(), now);
        if (code == 429) {
            attempt.limit.overloaded(); // TGI's "Model is overloaded": its queue is full
        }
        record.headReceived(now);
        if (attempt.upstream.auth().present() && !attempt.credentialsTaken(code, context.pools().problems())) {
            ReferenceCountUtil.release(head);
            exchange.act(loop.refusedCredentials(attempt));
            return;
        }
        if (continuation.resuming()) {
            continuation.head(attempt, head);
            return;
        }
        boolean another = anotherAttemptPossible();
        HeldResponse.Until until = another ? HeldResponse.until(head, route.fallbackOn()) : null;
        if (until != null) {
            attempt.hold(new HeldResponse(head, until));
            exchange.moveTo(Phase.HOLDING);
            if (until == HeldResponse.Until.FIRST_EVENT) {
                timeouts.firstEventAwaited(now);
            }
            return;
        }
        Next next = another && (route.retry().on().contains(code) || code == 429)
                ? loop.answered(attempt, new AttemptOutcome.Answered(code, HeldResponse.retryAfter(head), null))
                : loop.deliver(attempt);
        if (next == Next.DELIVER) {
            deliverHead(head);
            return;
        }
        ReferenceCountUtil.release(head);
        exchange.act(next);
    }

    /**
     * Enough of a held response is in, or a held stream's first event is {@code late}: it is
     * delivered, unless the request waits for the endpoint to warm or goes elsewhere instead.
     */
    void judgeHeld(boolean late) {
        HeldResponse held = attempt.takeHeld();
        timeouts.firstEventSettled();
        if (continuation.resuming()) {
            continuation.judge(attempt, held);
            return;
        }
        Next next = late ? loop.lateFirstEvent(attempt) : loop.judged(attempt, held);
        if (next == Next.DELIVER) {
            record.attemptEnded(context.ticker().nanoTime()); // the client's head waited for this judgement
            held.deliver(this::deliverHead, this::deliverContent);
        } else {
            held.release();
            exchange.act(next);
        }
    }

    /** The response goes to the client: its head now, its body as it comes. */
    private void deliverHead(HttpResponse head) {
        exchange.moveTo(Phase.RELAYING);
        int code = head.status().code();
        attempt.verdict(code == 429 ? BreakerVerdict.NONE
                : BreakerVerdict.failureIf(route.retry().on().contains(code) && code >= 500));
        continuation.delivering(head, responder.stream() != null);
        body.dropCopy();
        // A stream that began early takes from the upstream's head only an error, to retell as an event.
        if (responder.relayHead(head, attempt.upstream.name(), attempt.endpoint.url().hostHeader(), attempt.onFallback)) {
            relayed = true;
            // TGI says how many tokens it generated: the tenant's token reservation is settled to it.
            if (record.generatedTokens() >= 0) {
                gate.tokensUsed(record.generatedTokens());
            }
        }
    }

    private void onContent(HttpContent content) {
        if (attempt.skipping(content instanceof LastHttpContent)) {
            content.release();
            return;
        }
        if (content.decoderResult().isFailure()) {
            // A bad chunk size, chunk data longer than its size: the upstream's framing is broken.
            log.debug("upstream {} sent a malformed body for request {}", attempt.endpoint, requestId,
                    content.decoderResult().cause());
            content.release();
            exchange.fail(GatewayError.UPSTREAM_PROTOCOL, GatewayError.UPSTREAM_PROTOCOL.defaultMessage());
            return;
        }
        timeouts.responseActivity(context.ticker().nanoTime());
        HeldResponse held = attempt.held();
        if (held == null) {
            deliverContent(content);
        } else if (held.add(content)) {
            judgeHeld(false);
        }
    }

    private void deliverContent(HttpContent content) {
        if (exchange.done()) {
            content.release();
            return;
        }
        SseRelay sse = responder.stream();
        if (sse != null && sse.retellingUpstreamError()) {
            byte[] event = sse.collectUpstreamError(content);
            if (event != null) {
                exchange.finish(Ending.Normal.UPSTREAM_ERROR, responder.endStream(event, body.complete()), true);
            }
        } else if (sse != null) {
            content = continuation.pass(content, client.alloc());
            if (content == null) {
                return; // a regenerated answer diverged: the exchange has ended
            }
            relayed |= content.content().isReadable();
            sse.track(content);
            if (content instanceof LastHttpContent && !sse.endedWithFinalEvent()) {
                content = continuation.resumeCut(content, client);
                if (content == null) {
                    return;
                }
            }
            if (content instanceof LastHttpContent last) {
                long generated = sse.generatedTokens();
                if (generated >= 0) {
                    gate.tokensUsed(generated);
                }
                if (!sse.endedWithFinalEvent()) {
                    context.metrics().streamTruncated(route.name());
                }
                complete(last);
            } else {
                client.write(content, client.voidPromise());
            }
        } else if (content instanceof LastHttpContent last) {
            complete(last);
        } else {
            responder.relay(content);
        }
    }

    private void complete(LastHttpContent last) {
        continuation.beforeEnd(client);
        exchange.finish(Ending.Normal.SUCCESS, responder.complete(last, body.complete()), true);
    }

    @Override
    public void onUpstreamReadComplete() {
        if (attempt == null || exchange.done()) {
            return;
        }
        responder.flush();
        boolean writable = client.channel().isWritable();
        if (!writable) {
            timeouts.clientStalled(context.ticker().nanoTime());
        }
        attempt.readOn(writable);
    }


    @Override
    public void onUpstreamClosed(Throwable cause) {
        if (attempt == null || exchange.done()) {
            return;
        }
        if (cause != null) {
            log.debug("upstream {} failed for request {}", attempt.endpoint, requestId, cause);
        }
        if (!attempt.headSeen() || attempt.held() != null) {
            // Nothing of this response reached the client: the attempt can be made again.
            exchange.attemptFailed(new AttemptOutcome.ResetBeforeHead(), GatewayError.UPSTREAM_RESET);
        } else {
            continuation.broke(GatewayError.UPSTREAM_RESET);
        }
    }
}
