package io.infergate.server.admin;

import io.infergate.server.exchange.ProxyContext;
import io.infergate.server.reload.ConfigReloader;
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
import java.time.Clock;
import java.util.function.Supplier;

/** The admin port: health, readiness, metrics, upstream state, the status page and its feed, and {@code POST /admin/reload}. */
@ChannelHandler.Sharable
final class AdminHandler extends SimpleChannelInboundHandler<FullHttpRequest> {

    private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";
    private static final String OPENMETRICS = "application/openmetrics-text; version=1.0.0; charset=utf-8";
    private static final String RELOAD = "/admin/reload";

    private final PrometheusMeterRegistry registry;
    private final Supplier<String> unready;
    private final UpstreamsPage upstreams;
    private final ConfigReloader reloader;
    private final StatusJson status;
    private final StatusFeed feed;
    /** With tracing on, a scraper that asks for OpenMetrics gets it, with the histograms' exemplars (traces). */
    private final boolean exemplars;

    AdminHandler(PrometheusMeterRegistry registry, Supplier<String> unready, ProxyContext context, ConfigReloader reloader) {
        this.registry = registry;
        this.unready = unready;
        this.upstreams = new UpstreamsPage(context::routes, context.ticker());
        this.reloader = reloader;
        this.status = new StatusJson(context::routes, context.status(), upstreams, context.jobs(), reloader,
                Clock.systemUTC());
        this.feed = new StatusFeed(status::render);
        this.exemplars = context.tracing().enabled();
    }

    @Override
    protected void channelRead0(ChannelHandlerContext ctx, FullHttpRequest request) {
        String path = new QueryStringDecoder(request.uri()).path();
        boolean keepAlive = HttpUtil.isKeepAlive(request);
        if (path.equals(RELOAD)) {
            reload(ctx, request, keepAlive);
            return;
        }
        if (path.equals("/status/events") && HttpMethod.GET.equals(request.method())) {
            feed.subscribe(ctx);
            return;
        }
        FullHttpResponse response;
        if (!HttpMethod.GET.equals(request.method()) && !HttpMethod.HEAD.equals(request.method())) {
            response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "method not allowed\n", "text/plain");
        } else {
            response = switch (path) {
                case "/healthz" -> text(ctx, HttpResponseStatus.OK, "ok\n", "text/plain");
                case "/readyz" -> readiness(ctx);
                case "/metrics" -> exemplars && request.headers().get(HttpHeaderNames.ACCEPT, "").contains("application/openmetrics-text")
                        ? text(ctx, HttpResponseStatus.OK, registry.scrape(OPENMETRICS), OPENMETRICS)
                        : text(ctx, HttpResponseStatus.OK, registry.scrape(), PROMETHEUS_TEXT);
                case "/admin/upstreams" -> text(ctx, HttpResponseStatus.OK, upstreams.render(), "application/json");
                case "/", "/status" -> text(ctx, HttpResponseStatus.OK, StatusPage.HTML, "text/html; charset=utf-8");
                case "/status.json" -> text(ctx, HttpResponseStatus.OK, status.render() + "\n", "application/json");
                default -> text(ctx, HttpResponseStatus.NOT_FOUND, "not found\n", "text/plain");
            };
        }
        send(ctx, response, keepAlive);
    }

    /** {@code POST /admin/reload}: answered when the reload is done, off this loop. */
    private void reload(ChannelHandlerContext ctx, FullHttpRequest request, boolean keepAlive) {
        if (!HttpMethod.POST.equals(request.method())) {
            FullHttpResponse response = text(ctx, HttpResponseStatus.METHOD_NOT_ALLOWED, "use POST\n", "text/plain");
            response.headers().set(HttpHeaderNames.ALLOW, HttpMethod.POST.name());
            send(ctx, response, keepAlive);
        } else if (reloader == null) {
            send(ctx, text(ctx, HttpResponseStatus.CONFLICT, ReloadAnswer.noFile(), "application/json"), keepAlive);
        } else {
            reloader.reload("admin").whenComplete((outcome, failure) -> ctx.executor().execute(() -> send(ctx,
                    failure == null
                            ? text(ctx, ReloadAnswer.status(outcome), ReloadAnswer.body(outcome), "application/json")
                            : text(ctx, HttpResponseStatus.INTERNAL_SERVER_ERROR, "reload failed: " + failure + "\n", "text/plain"),
                    keepAlive)));
        }
    }

    private static void send(ChannelHandlerContext ctx, FullHttpResponse response, boolean keepAlive) {
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
