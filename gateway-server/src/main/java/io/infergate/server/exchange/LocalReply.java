package io.infergate.server.exchange;

import io.infergate.server.metrics.ExchangeRecord;
import io.infergate.server.relay.LocalAnswer;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.FullHttpResponse;

/** An answer the gateway makes before a request has an exchange: written, logged and metered as every response is. */
public final class LocalReply {

    private LocalReply() {}

    /**
     * @param bodyBytesIn the request body bytes taken in before the answer
     */
    public static void send(ProxyContext context, ClientConnection owner, ChannelHandlerContext client,
                            FullHttpResponse response, ExchangeRecord record, LocalAnswer.After after, String outcome,
                            long bodyBytesIn) {
        long now = context.ticker().nanoTime();
        int status = response.status().code();
        LocalAnswer.send(client, response, record, now, after);
        record.finished(now, status, outcome, false, false, false);
        record.bytes(bodyBytesIn, owner.bodyBytesSent());
        context.finished(record);
        context.metrics().answeredLocally(status, outcome, now - record.startNanos());
    }
}
