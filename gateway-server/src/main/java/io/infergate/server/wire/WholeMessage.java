package io.infergate.server.wire;

import io.netty.handler.codec.http.DefaultFullHttpRequest;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpRequest;
import io.netty.handler.codec.http.HttpResponse;
import io.netty.handler.codec.http.LastHttpContent;

/**
 * A head and its last content, in hand together, written as one message. Netty's HTTP/1.1 encoder
 * copies a small body (up to 128 bytes, or an eighth of the head) into the head's buffer: one buffer
 * down the pipeline and one vector in the {@code writev}, instead of two of each. The body's buffer
 * passes to the whole message, which owns it from here.
 */
public final class WholeMessage {

    private WholeMessage() {}

    public static FullHttpRequest of(HttpRequest head, LastHttpContent last) {
        return new DefaultFullHttpRequest(head.protocolVersion(), head.method(), head.uri(), last.content(),
                head.headers(), last.trailingHeaders());
    }

    public static FullHttpResponse of(HttpResponse head, LastHttpContent last) {
        return new DefaultFullHttpResponse(head.protocolVersion(), head.status(), last.content(),
                head.headers(), last.trailingHeaders());
    }
}
