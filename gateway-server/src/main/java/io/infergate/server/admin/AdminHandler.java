package io.infergate.server.admin;

import io.infergate.core.Ticker;
import io.infergate.core.route.RouteTable;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.buffer.ByteBuf;
import io.netty.channel.ChannelFutureListener;
import io.netty.channel.ChannelHandler;
import io.netty.channel.ChannelHandlerContext;
import io.netty.channel.SimpleChannelInboundHandler;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.FullHttpRequest;
import io.netty.handler.codec.http.FullHttpResponse;
import io.netty.handler.codec.http.HttpHeaderNames;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpUtil;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.QueryStringDecoder;

import java.nio.charset.StandardCharsets;
import java.util.function.Supplier;

/** The admin port's few read-only pages: health, readiness, metrics, upstream state. */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

    private final PrometheusMeterRegistry registry;
    private final Supplier<String> unready;
    private final UpstreamsPage upstreams;

    AdminHandler(PrometheusMeterRegistry registry, Supplier<String> unready, RouteTable routes, Ticker ticker) {
        this.registry = registry;
        this.unready = unready;
        this.upstreams = new UpstreamsPage(routes, ticker);
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        FullHttpResponse response;
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain");
        } else {
            response = switch (path) {
                case "/healthz" -> text(ctx, HttpResponseStatus.OK, "ok\n", "text/plain");
                case "/readyz" -> readiness(ctx);
                case "/metrics" -> text(ctx, HttpResponseStatus.OK, registry.scrape(), PROMETHEUS_TEXT);
                case "/admin/upstreams" -> text(ctx, HttpResponseStatus.OK, upstreams.render(), "application/json");
                default -> text(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain");
            };
        }
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        HttpUtil.setKeepAlive(response, keepAlive);
        ctx.writeAndFlush(response).addListener(keepAlive ? ChannelFutureListener.CLOSE_ON_FAILURE : ChannelFutureListener.CLOSE);
    }

    private FullHttpResponse readiness(ChannelHandlerContext ctx) {
        String why = unready.get();
        return why == null ? text(ctx, HttpResponseStatus.OK, "ready\n", "text/plain")
                : text(ctx, HttpResponseStatus.SERVICE_UNAVAILABLE, why + "\n", "text/plain");
    }

    private static FullHttpResponse text(ChannelHandlerContext ctx, HttpResponseStatus status, String body, String type) {
        ByteBuf content = ctx.alloc().buffer(body.length());
        content.writeCharSequence(body, StandardCharsets.UTF_8);
        FullHttpResponse response = new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, status, content);
        response.headers().set(HttpHeaderNames.CONTENT_TYPE, type).setInt(HttpHeaderNames.CONTENT_LENGTH, content.readableBytes());
        return response;
    }

    @Override
    public void exceptionCaught(ChannelHandlerContext ctx, Throwable cause) {
        ctx.close();
    }
}
