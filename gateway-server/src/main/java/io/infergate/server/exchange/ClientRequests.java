package io.infergate.server.exchange;

import io.infergate.core.route.ModelChoice;
import io.infergate.core.route.Route;
import io.infergate.core.route.RouteChoice;
import io.infergate.server.wire.ClientOrigin;
import io.netty.channel.ChannelHandlerContext;
import io.netty.handler.codec.http.HttpRequest;

/** Where a request goes once its path has a {@link RouteChoice}: straight to its exchange, or first through the model intake. */
public final class ClientRequests {

    private ClientRequests() {}

    /** Starts the request: its head is in, its body (if any) follows through {@link ClientRequest#onRequestContent}. */
    public static ClientRequest start(ClientConnection owner, ChannelHandlerContext client, ProxyContext context,
                                      RouteChoice choice, HttpRequest request, String requestId, ClientOrigin origin) {
        long startNanos = context.ticker().nanoTime();
        if (choice instanceof Route route) {
            Exchange exchange = new Exchange(owner, client, context, route, request, requestId, origin, startNanos);
            exchange.start();
            return exchange;
        }
        ModelIntake intake = new ModelIntake(owner, client, context, (ModelChoice) choice, request, requestId,
                origin, startNanos);
        intake.start();
        return intake;
    }
}
