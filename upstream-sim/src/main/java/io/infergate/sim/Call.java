package io.infergate.sim;

import io.netty.buffer.ByteBufUtil;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.QueryStringDecoder;

/**
 * A request copied off its Netty buffers, so that it can wait (queued, held during a cold start)
 * without holding reference-counted memory.
 */
record Call(HttpMethod method, String path, HttpHeaders headers, byte[] body, boolean keepAlive, long receivedNanos) {

    static Call of(FullHttpRequest request, long receivedNanos) {
        return new Call(request.method(), new QueryStringDecoder(request.uri()).path(), request.headers().copy(),
                ByteBufUtil.getBytes(request.content()), HttpUtil.isKeepAlive(request), receivedNanos);
    }

    String header(CharSequence name) {
        return headers.get(name);
    }
}
