package io.infergate.sim;

import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpResponseStatus;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayDeque;

/**
 * One client connection: answers its requests one at a time, in order (a pipelined request waits for
 * the response before it), and tells the exchange in progress when the client goes away.
 */
final class SimConnectionHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final Logger log = LoggerFactory.getLogger(SimConnectionHandler.class);

    private static final int MAX_PIPELINED = 32;

    private final SimRouter router;
    private final Ticker ticker;
    private final ArrayDeque<Call> pending = new ArrayDeque<>();
    private Exchange current;

    SimConnectionHandler(SimRouter router, Ticker ticker) {
        this.router = router;
        this.ticker = ticker;
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        if (request.decoderResult().isFailure()) {
            Exchange bad = new Exchange(ctx, Call.of(request, ticker.nanoTime()), () -> { });
            bad.closeAfterResponse();
            bad.respondText(HttpResponseStatus.BAD_REQUEST, "Bad Request");
            return;
        }
        if (pending.size() >= MAX_PIPELINED) {
            ctx.close();
            return;
        }
        pending.addLast(Call.of(request, ticker.nanoTime()));
        if (current == null) {
            next(ctx);
        }
    }

    private void next(ChannelHandlerContext ctx) {
        current = null;
        Call call = pending.pollFirst();
        if (call == null || !ctx.channel().isActive()) {
            return;
        }
        Exchange exchange = new Exchange(ctx, call, () -> next(ctx));
        current = exchange;
        router.route(exchange);
    }

    @Override
    public void channelInactive(ChannelHandlerContext ctx) {
        pending.clear();
        Exchange exchange = current;
        current = null;
        if (exchange != null) {
            exchange.abandon();
        }
        ctx.fireChannelInactive();
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        log.debug("connection {} failed: {}", ctx.channel(), cause.toString(), cause);
        ctx.close();
    }
}
