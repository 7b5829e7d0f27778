package io.infergate.server.tracing;

import io.netty.handler.codec.http.HttpHeaders;
import io.opentelemetry.context.propagation.TextMapGetter;
import io.opentelemetry.context.propagation.TextMapSetter;

/** Trace context read from a client's request headers and written into an upstream request's. */
final class HeaderAccess {

    static final TextMapGetter<HttpHeaders> GETTER = new TextMapGetter<>() {
        @Override
        public Iterable<String> keys(HttpHeaders headers) {
            return headers.names();
        }

        @Override
        public String get(HttpHeaders headers, String key) {
            return headers == null ? null : headers.get(key);
        }
    };

    static final TextMapSetter<HttpHeaders> SETTER = (headers, key, value) -> headers.set(key, value);

    private HeaderAccess() {}
}
