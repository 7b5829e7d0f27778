package io.infergate.server.wire;

import io.netty.handler.codec.http.DefaultHttpHeaders;
import io.netty.handler.codec.http.DefaultHttpHeadersFactory;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpHeaders;
import io.netty.handler.codec.http.HttpHeadersFactory;
import io.netty.util.AsciiString;

/**
 * Request headers, validated as Netty's defaults are (the gateway's own names once, see
 * {@link OwnHeaderNames}), that remember a repeated {@code Content-Length} line. The codec folds an
 * HTTP/1.0 request's repeated lengths into the first one before the guard sees the head (it refuses
 * them only for HTTP/1.1); a gateway must refuse them in every version, or what it reads as the
 * body's end is not what an upstream reads.
 */
public final class RequestHeadersFactory implements HttpHeadersFactory {

    public static final RequestHeadersFactory INSTANCE = new RequestHeadersFactory();

    private RequestHeadersFactory() {}

    /** Headers as the client sent them, counting its Content-Length lines. */
    static final class RequestHeaders extends DefaultHttpHeaders {
        private int contentLengthLines;

        RequestHeaders() {
            super(OwnHeaderNames.VALIDATOR, DefaultHttpHeadersFactory.headersFactory().getValueValidator());
        }

        @Override
        public HttpHeaders add(CharSequence name, Object value) {
            count(name);
            return super.add(name, value);
        }

        @Override
        public HttpHeaders add(String name, Object value) {
            count(name);
            return super.add(name, value);
        }

        private void count(CharSequence name) {
            if (AsciiString.contentEqualsIgnoreCase(name, HttpHeaderNames.CONTENT_LENGTH)) {
                contentLengthLines++;
            }
        }

        /** Whether the client sent more than one Content-Length line. */
        boolean repeatedContentLength() {
            return contentLengthLines > 1;
        }
    }

    @Override
    public HttpHeaders newHeaders() {
        return new RequestHeaders();
    }

    @Override
    public HttpHeaders newEmptyHeaders() {
        return DefaultHttpHeadersFactory.headersFactory().newEmptyHeaders();
    }
}
